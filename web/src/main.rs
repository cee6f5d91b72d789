//! The playground's entry point (see the library for its layout).

fn main() {
    redsim_web::start_playground();
}
