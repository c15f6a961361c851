//! `scalelaw fit --law chinchilla` and `scalelaw plan --compute` reach the neural
//! scaling laws, on the Chinchilla runs that Besiroglu et al. (2024, arXiv:2404.10102)
//! keep.

mod common;

use common::scalelaw;

fn chinchilla_csv() -> String {
    format!(
        "{}/../../data/chinchilla/chinchilla_epoch_tidy.csv",
        env!("CARGO_MANIFEST_DIR")
    )
}

#[test]
fn fit_law_chinchilla_reaches_published_objective() {
    let file = chinchilla_csv();
    let run = scalelaw(&[
        "fit",
        &file,
        "--law",
        "chinchilla",
        "--where",
        "excluded_in_epoch_fit=False",
        "--bootstrap",
        "0",
    ]);
    assert!(run.success, "stderr: {}", run.stderr);
    // The replication's objective is 1.0182740e-3 on these 240 runs.
    assert!(run.stdout.contains("over 240 runs"), "{}", run.stdout);
    assert!(run.stdout.contains("objective 1.01827"), "{}", run.stdout);
}

#[test]
fn plan_compute_gives_tokens_per_parameter() {
    let file = chinchilla_csv();
    let run = scalelaw(&[
        "plan",
        &file,
        "--compute",
        "5.88e23",
        "--where",
        "excluded_in_epoch_fit=False",
        "--bootstrap",
        "0",
    ]);
    assert!(run.success, "stderr: {}", run.stderr);
    // The exact Huber optimum on these runs gives 17.9 tokens per parameter.
    assert!(run.stdout.contains("17.9"), "{}", run.stdout);
}

#[test]
fn fit_law_chinchilla_rejects_by() {
    let file = chinchilla_csv();
    let run = scalelaw(&["fit", &file, "--law", "chinchilla", "--by", "row"]);
    assert!(!run.success);
    assert!(run.stderr.contains("--where"), "{}", run.stderr);
}
