//! Text encodings of uploaded files. Excel on Windows saves "CSV" in
//! Windows-1252 unless told otherwise; everything else we meet is UTF-8.
//! A file that is not valid UTF-8 is read as Windows-1252 (every byte means
//! something there), and the preview says so.

/// How a file was read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    Windows1252,
}

impl Encoding {
    /// Words for the preview (and as stored).
    pub fn label(self) -> &'static str {
        match self {
            Encoding::Utf8 => "UTF-8",
            Encoding::Windows1252 => "Windows-1252",
        }
    }

    /// Reads a stored label back (anything unknown is UTF-8).
    pub fn from_label(label: &str) -> Encoding {
        if label == Encoding::Windows1252.label() {
            Encoding::Windows1252
        } else {
            Encoding::Utf8
        }
    }
}

/// Windows-1252's characters for bytes 0x80–0x9F (the rest match
/// Latin-1). Undefined bytes map to the C1 control of the same number, as
/// the WHATWG Encoding Standard does; the row checks then report them.
const HIGH: [char; 32] = [
    '€', '\u{81}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{8d}', 'Ž', '\u{8f}',
    '\u{90}', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{9d}', 'ž', 'Ÿ',
];

/// Decodes a file: UTF-8 (a leading byte-order mark dropped) when it is
/// valid UTF-8, otherwise Windows-1252.
pub fn decode(bytes: &[u8]) -> (String, Encoding) {
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(text) => (text.to_string(), Encoding::Utf8),
        Err(_) => (
            bytes
                .iter()
                .map(|&b| match b {
                    0x80..=0x9f => HIGH[usize::from(b - 0x80)],
                    _ => char::from(b),
                })
                .collect(),
            Encoding::Windows1252,
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_1252_pound_dash_and_quotes_come_out_right() {
        let bytes = b"\xa3100 \x96 the council\x92s view \x93yes\x94 \x80";
        let (text, encoding) = decode(bytes);
        assert_eq!(text, "£100 – the council’s view “yes” €");
        assert_eq!(encoding, Encoding::Windows1252);
    }

    #[test]
    fn utf8_is_kept_and_its_byte_order_mark_dropped() {
        let (text, encoding) = decode("\u{feff}£ – ’".as_bytes());
        assert_eq!((text.as_str(), encoding), ("£ – ’", Encoding::Utf8));
    }
}
