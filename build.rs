//! The built-in themes are embedded with `include_dir!`, which cargo does not track:
//! rebuild when anything under `themes/` changes.
fn main() {
    println!("cargo:rerun-if-changed=themes");
}
