//! Thumbnails of catalogue images (issue 18), as pure functions: the image's size is read from
//! its header first, and an image over [`MAX_PIXELS`] is refused before any of its body is
//! decoded, so a huge photo cannot exhaust the 128 MB isolate of the queue consumer that runs
//! this. Only JPEG and PNG are read (what 1C uploads under `import_files/`); thumbnails are
//! JPEG, at [`SIZES`] on their long side, never enlarged.

use image::{DynamicImage, ImageReader, Limits, RgbImage};
use std::io::Cursor;

/// The largest image decoded: its pixels decode to 3 (JPEG) or 4 (PNG with alpha) bytes each,
/// so 16 Mpx is at most 64 MB beside the file itself, within a 128 MB isolate. A 24 Mpx camera
/// photo is over it and skipped (1C's product photos are far smaller).
pub const MAX_PIXELS: u64 = 16_000_000;
/// The largest image file read at all.
pub const MAX_FILE_BYTES: u64 = 20 << 20;
/// Long side of each thumbnail: a catalogue card on a phone, and the product's larger view.
pub const SIZES: [u32; 2] = crate::orders::catalog::IMAGE_SIZES;
const JPEG_QUALITY: u8 = 82;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Jpeg,
    Png,
}

/// Why an image got no thumbnails (noted on the image; the import goes on).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Skip {
    /// Not a JPEG or PNG, or a header that does not say its size.
    Unknown,
    /// The header says it is larger than the cap: not decoded.
    TooLarge { width: u32, height: u32 },
    /// The decoder refused it.
    Corrupt(String),
}

impl std::fmt::Display for Skip {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Skip::Unknown => write!(f, "not a JPEG or PNG image"),
            Skip::TooLarge { width, height } => write!(
                f,
                "{width}x{height} is over the {} Mpx limit: not decoded",
                MAX_PIXELS / 1_000_000
            ),
            Skip::Corrupt(e) => write!(f, "cannot be decoded: {e}"),
        }
    }
}

/// One thumbnail: its long side (one of [`SIZES`]), its actual size, the JPEG bytes.
#[derive(Debug, Clone)]
pub struct Thumb {
    pub size: u32,
    pub width: u32,
    pub height: u32,
    pub jpeg: Vec<u8>,
}

/// Whether a file name is one of the images the portal makes thumbnails of.
pub fn is_image(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    [".jpg", ".jpeg", ".png"].iter().any(|e| n.ends_with(e))
}

/// Format and size from the header alone: PNG's `IHDR`, or a JPEG's first frame header (`SOFn`),
/// walking the segments before it by their lengths without reading their content.
pub fn header_size(bytes: &[u8]) -> Option<(Format, u32, u32)> {
    let be16 = |i: usize| -> Option<u32> {
        Some(u32::from(u16::from_be_bytes(
            bytes.get(i..i + 2)?.try_into().ok()?,
        )))
    };
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        if bytes.get(12..16)? != b"IHDR" {
            return None;
        }
        let w = u32::from_be_bytes(bytes.get(16..20)?.try_into().ok()?);
        let h = u32::from_be_bytes(bytes.get(20..24)?.try_into().ok()?);
        return Some((Format::Png, w, h));
    }
    if !bytes.starts_with(&[0xFF, 0xD8]) {
        return None;
    }
    let mut i = 2;
    loop {
        // Markers may be padded with 0xFF fill bytes.
        while *bytes.get(i)? == 0xFF && *bytes.get(i + 1)? == 0xFF {
            i += 1;
        }
        if *bytes.get(i)? != 0xFF {
            return None;
        }
        let marker = *bytes.get(i + 1)?;
        match marker {
            // Standalone markers: no length.
            0x01 | 0xD0..=0xD7 => i += 2,
            // Start of scan or end of image before any frame header.
            0xD9 | 0xDA => return None,
            // SOF0..SOF15 except DHT (C4), JPG (C8), DAC (CC).
            0xC0..=0xCF if !matches!(marker, 0xC4 | 0xC8 | 0xCC) => {
                let h = be16(i + 5)?;
                let w = be16(i + 7)?;
                return Some((Format::Jpeg, w, h));
            }
            _ => i += 2 + be16(i + 2)? as usize,
        }
    }
}

/// The size of a thumbnail with long side `size` of a `w` x `h` image (never larger than it).
pub fn fit(w: u32, h: u32, size: u32) -> (u32, u32) {
    let long = w.max(h);
    if long <= size {
        return (w.max(1), h.max(1));
    }
    let scale = |x: u32| {
        ((u64::from(x) * u64::from(size) + u64::from(long) / 2) / u64::from(long)).max(1) as u32
    };
    (scale(w), scale(h))
}

/// Thumbnails at each of [`SIZES`] of a JPEG or PNG, or why there are none. The header is
/// checked against `max_pixels` before anything is decoded; the decoder is limited too.
pub fn thumbnails(bytes: &[u8], max_pixels: u64) -> Result<Vec<Thumb>, Skip> {
    let (format, width, height) = header_size(bytes).ok_or(Skip::Unknown)?;
    if width == 0 || height == 0 {
        return Err(Skip::Unknown);
    }
    if u64::from(width) * u64::from(height) > max_pixels {
        return Err(Skip::TooLarge { width, height });
    }
    let mut reader = ImageReader::new(Cursor::new(bytes));
    reader.set_format(match format {
        Format::Jpeg => image::ImageFormat::Jpeg,
        Format::Png => image::ImageFormat::Png,
    });
    let mut limits = Limits::default();
    limits.max_image_width = Some(width);
    limits.max_image_height = Some(height);
    limits.max_alloc = Some(max_pixels * 4 + (8 << 20));
    reader.limits(limits);
    let decoded = reader.decode().map_err(|e| Skip::Corrupt(e.to_string()))?;
    let rgb = flatten(decoded);
    drop_and_thumbs(rgb)
}

/// The thumbnails of a decoded image, largest first so each is made from the one before.
fn drop_and_thumbs(rgb: RgbImage) -> Result<Vec<Thumb>, Skip> {
    let mut out = Vec::new();
    let mut source = rgb;
    for &size in SIZES.iter().rev() {
        let (w, h) = fit(source.width(), source.height(), size);
        let small = if (w, h) == source.dimensions() {
            source.clone()
        } else {
            // Area sampling: fast, and sharp enough for downscaling photos.
            image::imageops::thumbnail(&source, w, h)
        };
        let mut jpeg = Vec::new();
        image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, JPEG_QUALITY)
            .encode_image(&small)
            .map_err(|e| Skip::Corrupt(e.to_string()))?;
        out.push(Thumb {
            size,
            width: w,
            height: h,
            jpeg,
        });
        source = small;
    }
    out.reverse();
    Ok(out)
}

/// RGB on white: a transparent PNG's background becomes white, not black, in a JPEG.
fn flatten(img: DynamicImage) -> RgbImage {
    if !img.color().has_alpha() {
        return img.into_rgb8();
    }
    let rgba = img.into_rgba8();
    let (w, h) = rgba.dimensions();
    RgbImage::from_fn(w, h, |x, y| {
        let p = rgba.get_pixel(x, y).0;
        let a = u32::from(p[3]);
        let mix = |c: u8| ((u32::from(c) * a + 255 * (255 - a)) / 255) as u8;
        image::Rgb([mix(p[0]), mix(p[1]), mix(p[2])])
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::ImageEncoder;

    fn jpeg(w: u32, h: u32) -> Vec<u8> {
        let img = RgbImage::from_fn(w, h, |x, y| {
            image::Rgb([(x % 256) as u8, (y % 256) as u8, 90])
        });
        let mut out = Vec::new();
        image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 80)
            .encode_image(&img)
            .unwrap();
        out
    }

    fn png_rgba(w: u32, h: u32) -> Vec<u8> {
        let img =
            image::RgbaImage::from_fn(w, h, |x, _| image::Rgba([200, 10, 10, (x % 256) as u8]));
        let mut out = Vec::new();
        image::codecs::png::PngEncoder::new(&mut out)
            .write_image(img.as_raw(), w, h, image::ExtendedColorType::Rgba8)
            .unwrap();
        out
    }

    /// A PNG whose header claims `w` x `h` followed by garbage: decoding it would fail, so a
    /// `TooLarge` answer shows it was refused from the header alone.
    fn png_header_only(w: u32, h: u32) -> Vec<u8> {
        let mut b = b"\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR".to_vec();
        b.extend(w.to_be_bytes());
        b.extend(h.to_be_bytes());
        b.extend([8, 2, 0, 0, 0, 0, 0, 0, 0]);
        b.extend(std::iter::repeat_n(0xAB, 4096));
        b
    }

    /// A JPEG whose frame header says `w` x `h`, after an APP0 segment, and no real scan.
    fn jpeg_header_only(w: u16, h: u16) -> Vec<u8> {
        let mut b = vec![0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10];
        b.extend(b"JFIF\0\x01\x01\0\0\x01\0\x01\0\0");
        b.extend([0xFF, 0xFF, 0xC0, 0x00, 0x11, 0x08]);
        b.extend(h.to_be_bytes());
        b.extend(w.to_be_bytes());
        b.extend([3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1]);
        b.extend(std::iter::repeat_n(0x5A, 4096));
        b
    }

    #[test]
    fn header_sizes_of_real_and_forged_files() {
        assert_eq!(header_size(&jpeg(37, 21)), Some((Format::Jpeg, 37, 21)));
        assert_eq!(header_size(&png_rgba(5, 9)), Some((Format::Png, 5, 9)));
        assert_eq!(
            header_size(&png_header_only(20_000, 20_000)),
            Some((Format::Png, 20_000, 20_000))
        );
        assert_eq!(
            header_size(&jpeg_header_only(9000, 7000)),
            Some((Format::Jpeg, 9000, 7000))
        );
        assert_eq!(header_size(b"GIF89a...."), None);
        assert_eq!(header_size(&[0xFF, 0xD8, 0xFF]), None);
    }

    #[test]
    fn an_image_over_the_cap_is_refused_from_its_header() {
        // Both bodies are garbage: a decode attempt would answer Corrupt.
        assert_eq!(
            thumbnails(&png_header_only(20_000, 20_000), MAX_PIXELS).unwrap_err(),
            Skip::TooLarge {
                width: 20_000,
                height: 20_000
            }
        );
        assert_eq!(
            thumbnails(&jpeg_header_only(9000, 7000), MAX_PIXELS).unwrap_err(),
            Skip::TooLarge {
                width: 9000,
                height: 7000
            }
        );
        // The cap is what decides: a real image just over a small cap is refused too.
        let real = jpeg(300, 200);
        assert!(matches!(
            thumbnails(&real, 300 * 200 - 1),
            Err(Skip::TooLarge { .. })
        ));
        assert!(thumbnails(&real, 300 * 200).is_ok());
        // Under the cap, the same garbage is a corrupt image, noted as such.
        assert!(matches!(
            thumbnails(&png_header_only(100, 100), MAX_PIXELS),
            Err(Skip::Corrupt(_))
        ));
        assert_eq!(
            thumbnails(b"not an image", MAX_PIXELS).unwrap_err(),
            Skip::Unknown
        );
    }

    #[test]
    fn thumbnails_keep_the_aspect_and_never_enlarge() {
        let t = thumbnails(&jpeg(1200, 800), MAX_PIXELS).unwrap();
        let sizes: Vec<_> = t.iter().map(|t| (t.size, t.width, t.height)).collect();
        assert_eq!(sizes, vec![(160, 160, 107), (480, 480, 320)]);
        for thumb in &t {
            let back = image::load_from_memory(&thumb.jpeg).unwrap();
            assert_eq!((back.width(), back.height()), (thumb.width, thumb.height));
        }
        // A small, tall, transparent PNG: the 480 one keeps its size, the 160 one fits 160 tall.
        let t = thumbnails(&png_rgba(100, 300), MAX_PIXELS).unwrap();
        let sizes: Vec<_> = t.iter().map(|t| (t.size, t.width, t.height)).collect();
        assert_eq!(sizes, vec![(160, 53, 160), (480, 100, 300)]);
        // Transparent pixels are on white: the left column (alpha 0) decodes near-white.
        let back = image::load_from_memory(&t[1].jpeg).unwrap().into_rgb8();
        assert!(back.get_pixel(0, 150).0.iter().all(|&c| c > 230));
    }
}
