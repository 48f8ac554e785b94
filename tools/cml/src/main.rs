//! `cml`: what is inside a CommerceML file, read with the portal's own streaming parser
//! (`shared::commerceml`), so what it shows is what an import would see.

use shared::commerceml::{for_each_offer, for_each_product, inspect, CmlError};
use std::fmt;
use std::fs::File;
use std::io::{self, BufReader, BufWriter, Write};
use std::process::ExitCode;

const USAGE: &str = "\
cml: look inside a CommerceML (1C exchange) file

Usage:
  cml inspect FILE    counts, schema version, encoding and the orders in FILE, and what an
                      import would store of its goods (deleted items, VAT rates, units,
                      price types, currencies, warehouses, characteristics, images: how
                      many, and which are missing beside FILE under import_files/), as JSON
  cml products FILE   each catalog product (Каталог/Товары/Товар), one JSON object a line
  cml offers FILE     each offer with its prices and stock, one JSON object a line
  cml --help          this text

Exit status: 0 on success, 1 when FILE cannot be read or is not valid CommerceML, 2 on
wrong usage.";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (command, path) = match args.as_slice() {
        [flag] if matches!(flag.as_str(), "-h" | "--help" | "help") => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        [command, path] if matches!(command.as_str(), "inspect" | "products" | "offers") => {
            (command.as_str(), path)
        }
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match run(command, path) {
        Ok(()) => ExitCode::SUCCESS,
        // `cml offers FILE | head` closes the pipe early: that is not a failure.
        Err(Failure::Output(e)) if e.kind() == io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(failure) => {
            eprintln!("cml: {path}: {failure}");
            ExitCode::FAILURE
        }
    }
}

fn run(command: &str, path: &str) -> Result<(), Failure> {
    let file = BufReader::with_capacity(64 * 1024, File::open(path).map_err(CmlError::Io)?);
    let mut out = BufWriter::new(io::stdout().lock());
    match command {
        "inspect" => {
            let summary = inspect(file)?;
            let mut report = serde_json::to_value(&summary).map_err(io::Error::from)?;
            if summary.catalogue.images > 0 {
                let (present, mut missing) = image_files(path)?;
                report["catalogue"]["image_files_present"] = present.into();
                report["catalogue"]["image_files_missing"] = (missing.len() as u64).into();
                missing.truncate(shared::commerceml::LISTED);
                report["catalogue"]["missing_image_files"] = missing.into();
            }
            serde_json::to_writer_pretty(&mut out, &report).map_err(io::Error::from)?;
            writeln!(out)?;
        }
        "products" => {
            for_each_product(file, |product| {
                serde_json::to_writer(&mut out, &product).map_err(io::Error::from)?;
                Ok::<_, Failure>(writeln!(out)?)
            })?;
        }
        _ => {
            for_each_offer(file, |offer| {
                serde_json::to_writer(&mut out, &offer).map_err(io::Error::from)?;
                Ok::<_, Failure>(writeln!(out)?)
            })?;
        }
    }
    out.flush()?;
    Ok(())
}

/// The pictures (`Картинка`) of the file's products that are beside it (`import_files/...`
/// relative to the file's folder, as 1C writes an exchange folder; or the base name there), and
/// those that are not: what the portal's import would note as missing.
fn image_files(path: &str) -> Result<(u64, Vec<String>), Failure> {
    let dir = std::path::Path::new(path)
        .parent()
        .unwrap_or(std::path::Path::new("."))
        .to_path_buf();
    let file = BufReader::with_capacity(64 * 1024, File::open(path).map_err(CmlError::Io)?);
    let (mut present, mut missing) = (0u64, Vec::new());
    for_each_product(file, |product| {
        for image in &product.images {
            let rel = image.replace('\\', "/");
            let base = rel.rsplit('/').next().unwrap_or(&rel).to_owned();
            if dir.join(&rel).is_file() || dir.join(&base).is_file() {
                present += 1;
            } else {
                missing.push(image.clone());
            }
        }
        Ok::<_, Failure>(())
    })?;
    Ok((present, missing))
}

/// Either the file is at fault or writing the answer failed.
enum Failure {
    File(CmlError),
    Output(io::Error),
}

impl From<CmlError> for Failure {
    fn from(e: CmlError) -> Self {
        Failure::File(e)
    }
}

impl From<io::Error> for Failure {
    fn from(e: io::Error) -> Self {
        Failure::Output(e)
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::File(e) => write!(f, "{e}"),
            Failure::Output(e) => write!(f, "cannot write the output: {e}"),
        }
    }
}
