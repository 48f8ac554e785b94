//! The built `cml` binary, run as a user would.

use std::env;
use std::path::PathBuf;
use std::process::{Command, Output};

fn cml(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cml"))
        .args(args)
        .output()
        .expect("run cml")
}

fn fixtures() -> Option<PathBuf> {
    shared::testing::commerceml_fixtures()
}

fn stderr_line(out: &Output) -> String {
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(
        stderr.trim_end().lines().count(),
        1,
        "one line of error: {stderr:?}"
    );
    stderr
}

#[test]
fn inspect_prints_the_summary_as_json() {
    let Some(dir) = fixtures() else { return };
    let file = dir.join("v3.1-bitrix-module/documents.xml");
    let out = cml(&["inspect", file.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON on stdout");
    assert_eq!(json["schema_version"], "3.1");
    assert_eq!(json["encoding"], "utf-8");
    assert_eq!(json["counts"]["documents"], 20);
    assert_eq!(json["documents"][0]["onec_number"], "L320");
    assert_eq!(json["documents"][0]["sum_kop"], 132_000);
}

/// Runs `cml inspect` on a fixture and returns its `catalogue` report.
fn catalogue(dir: &std::path::Path, file: &str) -> serde_json::Value {
    let out = cml(&["inspect", dir.join(file).to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON on stdout");
    json["catalogue"].clone()
}

/// The report of the v3.1 files against what xmllint counts in them (commands beside each).
#[test]
fn inspect_reports_what_an_import_would_store() {
    let Some(dir) = fixtures() else { return };
    let d = dir.join("v3.1-bitrix-module");
    let import = catalogue(&d, "import.xml");
    // count(//Товар) = 21, count(//Ставка[.="Без налога"]) = 21: VAT 0 for all.
    assert_eq!(import["vat_rates"], serde_json::json!({"0": 21}));
    // Every БазоваяЕдиница is the code 796 (шт); none deleted, no images (count(//Картинка) = 0).
    assert_eq!(import["units"], serde_json::json!({"шт (796)": 21}));
    assert_eq!(import["deleted_products"], 0);
    assert_eq!(import["images"], 0);
    let offers = catalogue(&d, "offers.xml");
    // count(//Предложение[ПометкаУдаления="true" or Статус="Удален"]) = 6.
    assert_eq!(offers["deleted_offers"], 6);
    assert_eq!(offers["deleted_ids"].as_array().unwrap().len(), 6);
    // count(//Предложение[contains(Ид,"#")]) = 86.
    assert_eq!(offers["characteristics"], 86);
    let prices = catalogue(&d, "prices.xml");
    // count(//Цена/Валюта[.="USD"]) = 8 of count(//Цена/Валюта) = 86.
    assert_eq!(
        prices["currencies"],
        serde_json::json!({"RUB": 78, "USD": 8})
    );
    let rests = catalogue(&d, "rests.xml");
    // 12 warehouses, each in every one of the 86 offers (count(//Остаток/Склад[Ид="be3d..."]) = 86);
    // no Склады in any v3.1 file: unnamed.
    let warehouses = rests["warehouses"].as_array().unwrap();
    assert_eq!(warehouses.len(), 12);
    assert!(warehouses
        .iter()
        .all(|w| w["stock_rows"] == 86 && w["name"].is_null()));
    // v2.09: the classifier names its warehouse and price type (xmllint: //Склады/Склад/Наименование
    // = Оптовый, //ТипыЦен/ТипЦены/Наименование = Типовое соглашение Интернет-МХТ, Валюта RUB).
    let classifier = catalogue(&dir.join("v2.09-gillbeits"), "import.xml");
    assert_eq!(classifier["warehouses"][0]["name"], "Оптовый");
    assert_eq!(
        classifier["price_types"][0],
        serde_json::json!([
            "4d968229-47ba-11e4-a628-003048c64779",
            "Типовое соглашение Интернет-МХТ",
            "RUB"
        ])
    );
    // v2.08: 2 characteristics, both with ХарактеристикиТовара (count(//Предложение[ХарактеристикиТовара]) = 2).
    let v208 = catalogue(&dir.join("v2.08-bigperson"), "offers.xml");
    assert_eq!(
        (
            v208["characteristics"].clone(),
            v208["characteristics_with_properties"].clone()
        ),
        (2.into(), 2.into())
    );
}

#[test]
fn inspect_reports_images_vat_and_units_of_a_written_catalogue() {
    let dir = std::env::temp_dir().join(format!("cml-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("import.xml");
    std::fs::write(
        &path,
        r#"<?xml version="1.0" encoding="UTF-8"?>
<КоммерческаяИнформация ВерсияСхемы="2.10"><Каталог><Товары>
<Товар><Ид>a</Ид><Наименование>A</Наименование><БазоваяЕдиница Код="166">кг</БазоваяЕдиница><Картинка>import_files/a1.jpg</Картинка><Картинка>import_files/a2.png</Картинка>
<СтавкиНалогов><СтавкаНалога><Наименование>НДС</Наименование><Ставка>22</Ставка></СтавкаНалога></СтавкиНалогов></Товар>
<Товар><Ид>b</Ид><Наименование>B</Наименование><ПометкаУдаления>true</ПометкаУдаления></Товар>
</Товары></Каталог></КоммерческаяИнформация>"#,
    )
    .unwrap();
    let report = catalogue(&dir, "import.xml");
    std::fs::remove_dir_all(&dir).ok();
    assert_eq!(report["images"], 2);
    assert_eq!(
        report["image_files"],
        serde_json::json!(["import_files/a1.jpg", "import_files/a2.png"])
    );
    assert_eq!(
        report["vat_rates"],
        serde_json::json!({"22": 1, "not given": 1})
    );
    assert_eq!(
        report["units"],
        serde_json::json!({"кг (166)": 1, "not given (no code)": 1})
    );
    assert_eq!(
        (
            report["deleted_products"].clone(),
            report["deleted_ids"].clone()
        ),
        (1.into(), serde_json::json!(["b"]))
    );
}

#[test]
fn offers_are_json_lines() {
    let Some(dir) = fixtures() else { return };
    let file = dir.join("v2.08-bigperson/offers.xml");
    let out = cml(&["offers", file.to_str().unwrap()]);
    assert!(out.status.success());
    let lines: Vec<serde_json::Value> = out
        .stdout
        .split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .map(|l| serde_json::from_slice(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[1]["quantity"], 5_000);
}

#[test]
fn a_broken_file_fails_with_one_line() {
    let path = env::temp_dir().join(format!("cml-broken-{}.xml", std::process::id()));
    std::fs::write(
        &path,
        "<?xml version=\"1.0\"?>\n<КоммерческаяИнформация><Каталог></Товары>",
    )
    .unwrap();
    let out = cml(&["inspect", path.to_str().unwrap()]);
    std::fs::remove_file(&path).ok();
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    let err = stderr_line(&out);
    assert!(
        err.starts_with("cml: ") && err.contains("invalid XML at byte"),
        "{err}"
    );
}

#[test]
fn a_missing_file_fails_with_one_line() {
    let out = cml(&["inspect", "/nonexistent/orders.xml"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr_line(&out).contains("cannot read the file"));
}

#[test]
fn help_and_usage() {
    let out = cml(&["--help"]);
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("cml inspect FILE"));
    let out = cml(&["inspect"]);
    assert_eq!(out.status.code(), Some(2));
}

/// Pictures referenced by `import.xml`: counted, and those not beside the file (under
/// `import_files/`, or by base name) listed as missing.
#[test]
fn inspect_reports_missing_pictures() {
    let dir = env::temp_dir().join(format!("cml-pictures-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("import_files/aa")).unwrap();
    std::fs::write(dir.join("import_files/aa/a.jpg"), b"\xff\xd8").unwrap();
    std::fs::write(dir.join("b.png"), b"\x89PNG").unwrap();
    let xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><КоммерческаяИнформация ВерсияСхемы=\"2.10\"><Каталог><Товары>\
<Товар><Ид>1</Ид><Наименование>A</Наименование><Картинка>import_files/aa/a.jpg</Картинка><Картинка>import_files/bb/b.png</Картинка></Товар>\
<Товар><Ид>2</Ид><Наименование>B</Наименование><Картинка>import_files/cc/c.jpg</Картинка></Товар>\
</Товары></Каталог></КоммерческаяИнформация>";
    std::fs::write(dir.join("import.xml"), xml).unwrap();
    let c = catalogue(&dir, "import.xml");
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(c["images"], 3);
    assert_eq!(c["image_files_present"], 2);
    assert_eq!(c["image_files_missing"], 1);
    assert_eq!(
        c["missing_image_files"],
        serde_json::json!(["import_files/cc/c.jpg"])
    );
}
