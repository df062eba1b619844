//! A blank Tauri app: one window with an empty page, and nothing else — what the desktop
//! memory benchmark measures Parley against (`make bench-desktop`).

fn main() {
    if let Err(error) = tauri::Builder::default().run(tauri::generate_context!()) {
        eprintln!("the blank app failed: {error}");
        std::process::exit(1);
    }
}
