//! The one error type of the CommerceML reader. Positions are byte offsets into the file as
//! given, except for XML errors in a windows-1251 file, which count bytes of its UTF-8
//! transcoding (the XML parser only ever sees that).

use std::fmt;
use std::io;

#[derive(Debug)]
pub enum CmlError {
    /// The file could not be read.
    Io(io::Error),
    /// Not well-formed XML.
    Xml { position: u64, message: String },
    /// Bytes that are not valid in the file's encoding, or an encoding this reader does not
    /// support (UTF-16, KOI8-R, ...).
    Encoding { position: u64, message: String },
    /// Well-formed XML, but its root is not `КоммерческаяИнформация`.
    NotCommerceMl { root: Option<String> },
    /// An element whose text cannot be what CommerceML says it is (an amount that is not a
    /// number, a flag that is neither `true` nor `false`).
    InvalidValue {
        position: u64,
        element: &'static str,
        value: String,
        reason: String,
    },
}

impl fmt::Display for CmlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CmlError::Io(e) => write!(f, "cannot read the file: {e}"),
            CmlError::Xml { position, message } => {
                write!(f, "invalid XML at byte {position}: {message}")
            }
            CmlError::Encoding { position, message } => {
                write!(f, "encoding error at byte {position}: {message}")
            }
            CmlError::NotCommerceMl { root: Some(root) } => {
                write!(f, "not a CommerceML file: the root element is <{root}>, not <КоммерческаяИнформация>")
            }
            CmlError::NotCommerceMl { root: None } => {
                write!(f, "not a CommerceML file: no root element")
            }
            CmlError::InvalidValue {
                position,
                element,
                value,
                reason,
            } => {
                write!(
                    f,
                    "invalid <{element}> {value:?} at byte {position}: {reason}"
                )
            }
        }
    }
}

impl std::error::Error for CmlError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            CmlError::Io(e) => Some(e),
            _ => None,
        }
    }
}

impl From<io::Error> for CmlError {
    fn from(e: io::Error) -> Self {
        CmlError::Io(e)
    }
}

impl CmlError {
    pub(crate) fn from_xml(e: quick_xml::Error, position: u64) -> CmlError {
        match e {
            quick_xml::Error::Io(shared) => {
                // quick-xml shares the error; take it back when it is the only owner.
                let e = std::sync::Arc::try_unwrap(shared)
                    .unwrap_or_else(|e| io::Error::new(e.kind(), e.to_string()));
                CmlError::Io(e)
            }
            other => CmlError::Xml {
                position,
                message: other.to_string(),
            },
        }
    }
}
