//! Local development only: reads a file uploaded through the stock exchange window by window, as
//! an import does, and parses it (or only reads it, for comparison), reporting the largest wasm
//! linear memory reached. `bench/cml-worker.mjs` times both passes from outside: inside a Worker
//! the clock only moves on I/O, so parse time cannot be measured from within.

use super::{read_range, session, FileRow};
use crate::commerceml::{offers_slice, products_slice, Checkpoint, CmlError};
use crate::error::{AppError, AppResult};
use crate::exchange::sql;
use crate::http::{ApiRequest, ApiResponse};
use crate::ports::{DatabaseExt, Ports, Stmt};
use serde::Serialize;

/// Bytes read per window (the import uses [`super::SliceLimits`]'s, 4 MiB).
const WINDOW: u64 = 8 << 20;

/// The wasm instance's linear memory now (it only grows: the largest reached so far), or `None`
/// outside wasm.
pub fn wasm_memory_bytes() -> Option<u64> {
    #[cfg(target_arch = "wasm32")]
    {
        Some(core::arch::wasm32::memory_size(0) as u64 * 65536)
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        None
    }
}

#[derive(Debug, Serialize)]
pub struct BenchReport {
    pub name: String,
    pub pass: String,
    pub bytes: u64,
    pub windows: u64,
    /// Goods parsed (products or offers); 0 for the read pass.
    pub items: u64,
    pub memory_before: Option<u64>,
    pub memory_after: Option<u64>,
    /// Wall time inside the Worker: moves only on I/O there, so it includes parsing only up to
    /// the next read.
    pub ms_inside: i64,
}

pub async fn run<P: Ports>(p: &P, req: &ApiRequest) -> AppResult<ApiResponse> {
    if !p.config().allow_test_clock {
        return Err(AppError::not_found());
    }
    let session = match session(p, req).await? {
        Ok(s) => s.id,
        Err(refusal) => return Ok(refusal),
    };
    let name = req
        .query_param("filename")
        .and_then(super::file_path)
        .ok_or_else(|| {
            AppError::bad_request("bad-filename", "Неверное имя файла.", "Bad filename.")
        })?;
    let parse = match req.query_param("pass").unwrap_or("parse") {
        "parse" => true,
        "read" => false,
        _ => {
            return Err(AppError::bad_request(
                "bad-pass",
                "pass: parse или read.",
                "pass must be parse or read.",
            ))
        }
    };
    let file = p
        .db()
        .first::<FileRow>(Stmt::new(sql::CML_FILE).bind(&session).bind(&name))
        .await?
        .ok_or_else(AppError::not_found)?;
    let sizes = file.sizes()?;
    let total: u64 = sizes.iter().sum();
    let products = name.to_ascii_lowercase().starts_with("import");
    let (memory_before, started) = (wasm_memory_bytes(), p.wall_clock());
    let (mut from, mut windows, mut items, mut offset) = (None::<Checkpoint>, 0u64, 0u64, 0u64);
    loop {
        let start = if parse {
            from.as_ref().map_or(0, |c| c.offset)
        } else {
            offset
        };
        if start >= total {
            break;
        }
        let len = WINDOW.min(total - start);
        let window = read_range(p, &session, &name, &sizes, start, len).await?;
        windows += 1;
        offset = start + len;
        if !parse {
            continue;
        }
        let at_end = start + len >= total;
        let slice = if products {
            products_slice(&window, at_end, from.as_ref(), u64::MAX, |_| {
                Ok::<(), CmlError>(())
            })
        } else {
            offers_slice(&window, at_end, from.as_ref(), u64::MAX, |_| {
                Ok::<(), CmlError>(())
            })
        }
        .map_err(|e| {
            AppError::bad_request(
                "cml-invalid",
                "Файл не читается как CommerceML.",
                "The file is not readable CommerceML.",
            )
            .with_extra("reason", e.to_string())
        })?;
        items += slice.items;
        match slice.next {
            Some(next) => from = Some(next),
            None => break,
        }
    }
    let report = BenchReport {
        name,
        pass: if parse { "parse" } else { "read" }.into(),
        bytes: total,
        windows,
        items,
        memory_before,
        memory_after: wasm_memory_bytes(),
        ms_inside: (p.wall_clock() - started).num_milliseconds(),
    };
    Ok(ApiResponse::json(200, &report))
}
