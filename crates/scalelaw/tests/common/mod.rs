//! Helpers shared by the library's integration tests: reading the bundled data sets.

#![allow(dead_code)]

use scalelaw::Observations;

/// Path of a file under the repository's `data/` folder.
pub fn data_path(relative: &str) -> String {
    format!("{}/../../data/{relative}", env!("CARGO_MANIFEST_DIR"))
}

/// Reads two numeric columns of a small CSV file (no quoting) into observations,
/// skipping rows where either cell is empty.
pub fn read_columns(relative: &str, x_column: &str, y_column: &str) -> Observations {
    let text = std::fs::read_to_string(data_path(relative)).expect("bundled data file exists");
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().expect("header row").split(',').collect();
    let xi = header
        .iter()
        .position(|h| *h == x_column)
        .expect("x column");
    let yi = header
        .iter()
        .position(|h| *h == y_column)
        .expect("y column");
    let (mut x, mut y) = (Vec::new(), Vec::new());
    for line in lines.filter(|l| !l.trim().is_empty()) {
        let cells: Vec<&str> = line.split(',').collect();
        if cells[xi].is_empty() || cells[yi].is_empty() {
            continue;
        }
        x.push(cells[xi].parse().expect("numeric x"));
        y.push(cells[yi].parse().expect("numeric y"));
    }
    Observations::new(x_column, y_column, x, y).expect("valid data")
}
