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
