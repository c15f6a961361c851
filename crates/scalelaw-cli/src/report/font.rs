//! The TrueType font plotters uses to measure and draw text.
//!
//! plotters' `ab_glyph` feature loads no system fonts by itself, and it needs a font
//! even for SVG output because it measures labels to lay out the axes. The font is
//! read once from `SCALELAW_FONT` or from the usual locations of DejaVu Sans and
//! Liberation Sans, and registered as the family `sans-serif`. SVG output names that
//! family, so a browser draws the text with its own sans-serif font.

use std::path::PathBuf;
use std::sync::OnceLock;

use plotters::style::{register_font, FontStyle};

/// Environment variable naming a TrueType font file to use for plot text.
pub const FONT_VARIABLE: &str = "SCALELAW_FONT";

/// Font files tried in order when `SCALELAW_FONT` is unset (Debian and Ubuntu, Fedora,
/// Arch, macOS, Windows).
const CANDIDATES: &[&str] = &[
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/dejavu-sans-fonts/DejaVuSans.ttf",
    "/usr/share/fonts/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/TTF/DejaVuSans.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
    "/usr/share/fonts/liberation-sans/LiberationSans-Regular.ttf",
    "/Library/Fonts/Arial.ttf",
    "/System/Library/Fonts/Supplemental/Arial.ttf",
    "C:\\Windows\\Fonts\\arial.ttf",
];

static REGISTERED: OnceLock<Result<PathBuf, String>> = OnceLock::new();

/// Registers the plot font once per process; later calls return the first outcome.
pub fn ensure_registered() -> anyhow::Result<()> {
    let outcome = REGISTERED.get_or_init(register);
    match outcome {
        Ok(_) => Ok(()),
        Err(message) => Err(anyhow::anyhow!("{message}")),
    }
}

fn register() -> Result<PathBuf, String> {
    let path = match std::env::var_os(FONT_VARIABLE) {
        Some(path) => PathBuf::from(path),
        None => CANDIDATES
            .iter()
            .map(PathBuf::from)
            .find(|path| path.is_file())
            .ok_or_else(|| {
                format!(
                    "no TrueType font found for plot text (looked for DejaVu Sans and \
                     Liberation Sans); install one (Debian: apt-get install fonts-dejavu-core) \
                     or set {FONT_VARIABLE} to a .ttf file"
                )
            })?,
    };
    let bytes = std::fs::read(&path).map_err(|err| {
        format!(
            "failed to read the plot font {}: {err}; set {FONT_VARIABLE} to a readable .ttf file",
            path.display()
        )
    })?;
    // plotters keeps registered fonts for the life of the process and requires
    // 'static data, so the bytes are leaked once; `REGISTERED` prevents a second load.
    let bytes: &'static [u8] = Box::leak(bytes.into_boxed_slice());
    register_font("sans-serif", FontStyle::Normal, bytes).map_err(|_| {
        format!(
            "{} is not a valid TrueType font; set {FONT_VARIABLE} to a .ttf file",
            path.display()
        )
    })?;
    Ok(path)
}
