//! Raw deflate encoder. PLACEHOLDER: emits stored blocks only, so streams are valid but
//! not yet zlib's bytes. The bit-exact port of zlib's deflate replaces this file.

/// Streaming raw-deflate encoder with zlib's parameters
/// `deflateInit2(level, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY)`.
pub struct Deflater {
    pending: Vec<u8>,
}

impl Deflater {
    /// `level` is 0..=9 (zlib's -1 is 6; callers pass 6).
    pub fn new(level: u8) -> Self {
        assert!(level <= 9, "deflate level must be 0..=9");
        Deflater { pending: Vec::new() }
    }

    /// Feeds input (`deflate(Z_NO_FLUSH)`), appending any output produced to `out`.
    pub fn write(&mut self, input: &[u8], _out: &mut Vec<u8>) {
        self.pending.extend_from_slice(input);
    }

    /// Ends the stream (`deflate(Z_FINISH)`), appending the rest of the output to `out`.
    pub fn finish(self, out: &mut Vec<u8>) {
        let chunks: Vec<&[u8]> = if self.pending.is_empty() {
            vec![&[][..]]
        } else {
            self.pending.chunks(65535).collect()
        };
        let last = chunks.len() - 1;
        for (i, chunk) in chunks.iter().enumerate() {
            out.push(u8::from(i == last));
            let len = chunk.len() as u16;
            out.extend_from_slice(&len.to_le_bytes());
            out.extend_from_slice(&(!len).to_le_bytes());
            out.extend_from_slice(chunk);
        }
    }
}

/// Compresses a whole buffer in one go.
pub fn deflate(level: u8, data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut encoder = Deflater::new(level);
    encoder.write(data, &mut out);
    encoder.finish(&mut out);
    out
}
