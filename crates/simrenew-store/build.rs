// The migrations are embedded at compile time (`sqlx::migrate!`): a new file in them is a change
// of this crate.
fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
