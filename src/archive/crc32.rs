//! CRC-32 (IEEE 802.3, reflected, as zlib's `crc32()`).

/// Running CRC-32. `Crc32::new().update(b"...").value()` equals `zlib.crc32(b"...")`.
#[derive(Clone, Debug, Default)]
pub struct Crc32 {
    state: u32,
}

impl Crc32 {
    pub fn new() -> Self {
        Crc32 { state: 0 }
    }

    pub fn update(&mut self, data: &[u8]) -> &mut Self {
        let mut crc = !self.state;
        for &byte in data {
            crc ^= byte as u32;
            for _ in 0..8 {
                crc = if crc & 1 != 0 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
            }
        }
        self.state = !crc;
        self
    }

    pub fn value(&self) -> u32 {
        self.state
    }
}

/// CRC-32 of a whole buffer.
pub fn crc32(data: &[u8]) -> u32 {
    Crc32::new().update(data).value()
}
