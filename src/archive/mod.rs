//! Byte-exact writers for the containers flit_core produces through CPython:
//! raw deflate as stock zlib writes it, CRC-32, zip (`zipfile`), tar (`tarfile`, PAX) and
//! gzip (`gzip.GzipFile`).
//! Reading them back (for verifying published artifacts): [`inflate`] and [`read`].

pub mod crc32;
pub mod deflate;
pub mod gzip;
pub mod inflate;
pub mod pieces;
pub mod read;
pub mod tar;
pub mod zip;

/// Test input for the encoders: `text_run` bytes of every `period` repeat `text`, the
/// rest are bytes of a fixed linear congruential generator, so deflate meets both long
/// matches and incompressible stretches.
#[cfg(test)]
pub(crate) fn text_and_noise(len: usize, text: &[u8], period: usize, text_run: usize) -> Vec<u8> {
    let mut x = 12345u32;
    (0..len)
        .map(|i| {
            x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
            if i % period < text_run {
                text[i % text.len()]
            } else {
                (x >> 24) as u8
            }
        })
        .collect()
}
