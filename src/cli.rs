//! Command-line interface. TODO.

pub fn main() -> i32 {
    eprintln!("forge-backend: not implemented yet");
    2
}
