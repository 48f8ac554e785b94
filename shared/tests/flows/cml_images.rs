//! Catalogue pictures (issue 18) through the portal's CommerceML handler and the queue consumer:
//! files uploaded as 1C uploads them, thumbnails in the blob store, the product's image set; a
//! picture over the pixel cap, a corrupt one, one never uploaded and one that failed three tries
//! are noted and skipped while the import succeeds.

use crate::cml_exchange::call;
use crate::helpers::{cml_checkauth, text};
use futures::executor::block_on;
use shared::exchange::cml::import;
use shared::ports::{DatabaseExt, Stmt};
use shared::testing::TestPorts;

fn jpeg(w: u32, h: u32) -> Vec<u8> {
    let img = image::RgbImage::from_fn(w, h, |x, y| {
        image::Rgb([(x % 256) as u8, (y % 256) as u8, 40])
    });
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 70)
        .encode_image(&img)
        .unwrap();
    out
}

/// A PNG header claiming `w` x `h`, then garbage.
fn huge_png(w: u32, h: u32) -> Vec<u8> {
    let mut b = b"\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR".to_vec();
    b.extend(w.to_be_bytes());
    b.extend(h.to_be_bytes());
    b.extend([8, 2, 0, 0, 0, 0, 0, 0, 0]);
    b.extend(std::iter::repeat_n(0xAB, 8192));
    b
}

fn product(id: &str, picture: &str) -> String {
    format!("<Товар><Ид>{id}</Ид><Артикул>{id}</Артикул><Наименование>Товар {id}</Наименование><Картинка>{picture}</Картинка></Товар>")
}

fn upload(p: &TestPorts, cookie: &str, name: &str, bytes: Vec<u8>) {
    let r = call(
        p,
        "POST",
        &format!("type=catalog&mode=file&filename={name}"),
        vec![("cookie", cookie.to_string())],
        bytes,
    );
    assert_eq!(text(&r), "success\n", "{name}");
}

fn import_answer(p: &TestPorts, cookie: &str) -> String {
    text(&call(
        p,
        "GET",
        "type=catalog&mode=import&filename=import.xml",
        vec![("cookie", cookie.to_string())],
        vec![],
    ))
}

#[derive(serde::Deserialize, Debug)]
struct Row {
    product: String,
    status: String,
    note: Option<String>,
}

#[test]
fn pictures_become_thumbnails_and_bad_ones_are_skipped() {
    let p = TestPorts::new();
    let cookie = cml_checkauth(&p, "catalog");
    let xml = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><КоммерческаяИнформация ВерсияСхемы=\"2.10\"><Каталог><Товары>{}{}{}{}{}</Товары></Каталог></КоммерческаяИнформация>",
        product("a", "import_files/aa/a.jpg"),
        product("b", "import_files/bb/b.png"),
        product("c", "import_files/cc/c.jpg"),
        product("d", "import_files/dd/d.jpg"),
        product("e", "import_files/ee/e.jpg"),
    );
    upload(&p, &cookie, "import.xml", xml.into_bytes());
    // As 1C sends them: the folder in `filename` (reduced or kept by the upload, either is found).
    upload(&p, &cookie, "import_files/aa/a.jpg", jpeg(1200, 900));
    upload(&p, &cookie, "b.png", huge_png(30_000, 30_000));
    let mut corrupt = jpeg(64, 48);
    corrupt.truncate(200);
    upload(&p, &cookie, "import_files/cc/c.jpg", corrupt);
    upload(&p, &cookie, "import_files/ee/e.jpg", jpeg(50, 50));

    let first = import_answer(&p, &cookie);
    assert!(
        first.starts_with("progress\nproducts: 5; images: 5 of 5 to go"),
        "{first}"
    );
    // A try that killed the isolate never recorded its outcome: after three, the image is skipped.
    block_on(p.db.exec(Stmt::new(
        "UPDATE cml_images SET attempts = 3 WHERE product = 'e'",
    )))
    .unwrap();
    let mut runs = 0;
    loop {
        let next = p.queue.2.borrow_mut().pop();
        let Some(job) = next else { break };
        block_on(import::run_queued(&p, &job)).unwrap();
        runs += 1;
    }
    assert!(runs >= 1);
    assert_eq!(
        import_answer(&p, &cookie),
        "success\nproducts: 5, images: 5\n"
    );

    let rows: Vec<Row> = block_on(p.db.all(Stmt::new(
        "SELECT product, status, note FROM cml_images ORDER BY product",
    )))
    .unwrap();
    let got: Vec<(&str, &str)> = rows
        .iter()
        .map(|r| (r.product.as_str(), r.status.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            ("a", "done"),
            ("b", "skipped"),
            ("c", "skipped"),
            ("d", "missing"),
            ("e", "skipped")
        ]
    );
    assert!(
        rows[1].note.as_deref().unwrap().contains("30000x30000"),
        "{rows:?}"
    );
    assert!(
        rows[2]
            .note
            .as_deref()
            .unwrap()
            .contains("cannot be decoded"),
        "{rows:?}"
    );
    assert!(
        rows[4].note.as_deref().unwrap().contains("given up"),
        "{rows:?}"
    );

    #[derive(serde::Deserialize)]
    struct P {
        onec_id: String,
        image: Option<String>,
    }
    let products: Vec<P> = block_on(p.db.all(Stmt::new(
        "SELECT onec_id, image FROM products ORDER BY onec_id",
    )))
    .unwrap();
    let a: serde_json::Value = serde_json::from_str(products[0].image.as_deref().unwrap()).unwrap();
    assert_eq!((a["w"].as_u64(), a["h"].as_u64()), (Some(160), Some(120)));
    assert!(
        products[1..].iter().all(|p| p.image.is_none()),
        "only a has an image"
    );
    let id = a["id"].as_str().unwrap();
    for (size, dims) in [(160, (160, 120)), (480, (480, 360))] {
        let key = format!("catalogue/images/{id}/{size}.jpg");
        let bytes = p
            .blobs
            .0
            .borrow()
            .get(&key)
            .cloned()
            .unwrap_or_else(|| panic!("{key}"));
        let img = image::load_from_memory_with_format(&bytes, image::ImageFormat::Jpeg).unwrap();
        assert_eq!((img.width(), img.height()), dims, "{key}");
    }
    assert_eq!(products[0].onec_id, "a");
}
