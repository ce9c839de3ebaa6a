fn main() {
    std::process::exit(forge_backend::cli::main());
}
