//! A report is written for every data set under `data/` that `fit` accepts, except
//! those listed in [`NOT_REPORTED`] with the reason.
//!
//! Add a row to [`DATA_SETS`] when a data folder is added. The test fails on a CSV
//! file it does not list, so none is forgotten.

mod report_support;

use report_support::{data_file, repo_root, run_report};

/// Data file under `data/`, and the column choices for it.
const DATA_SETS: &[(&str, &[&str])] = &[
    ("usl/specsdm91.csv", &["--x", "load", "--y", "throughput"]),
    (
        "usl/handlersocket_schwartz.csv",
        &["--x", "concurrency", "--y", "throughput"],
    ),
    (
        "usl/isilon_sfs2008.csv",
        &["--x", "concurrency", "--y", "throughput_ops_per_s"],
    ),
    ("usl/oracledb.csv", &["--x", "db_time", "--y", "txn_rate"]),
    (
        "usl/paypal_node_java.csv",
        &["--x", "concurrency", "--y", "node_throughput"],
    ),
    (
        "usl/paypal_node_java.csv",
        &["--x", "concurrency", "--y", "java_throughput"],
    ),
    (
        "usl/raytracer.csv",
        &["--x", "processors", "--y", "throughput"],
    ),
    (
        "usl/rusl_no_n1_clients.csv",
        &["--x", "clients", "--y", "throughput"],
    ),
    (
        "usl/synthetic_rusl_a002_b002.csv",
        &["--x", "load", "--y", "throughput"],
    ),
    (
        "usl/synthetic_schwartz_linear2.csv",
        &["--x", "nodes", "--y", "throughput"],
    ),
    (
        "usl/voltdb_schwartz.csv",
        &["--x", "nodes", "--y", "throughput"],
    ),
    (
        "nvidia_bert_dp_throughput/bert_pytorch_dp_throughput.csv",
        &[
            "--x",
            "total_gpus",
            "--y",
            "throughput_seq_per_s",
            "--by",
            "system,phase,seq_len,precision,batch_per_gpu",
        ],
    ),
    (
        "chinchilla/chinchilla_epoch_tidy.csv",
        &["--law", "chinchilla"],
    ),
    (
        "chinchilla/svg_extracted_data.csv",
        &[
            "--law",
            "chinchilla",
            "--n-column",
            "Model Size",
            "--c-column",
            "Training FLOP",
        ],
    ),
    (
        "misfitting_li2025/scaling_results_last_ckpt_only.csv",
        &["--law", "chinchilla"],
    ),
];

/// Data files that `fit` accepts but the report does not draw yet, with the reason.
const NOT_REPORTED: &[(&str, &str)] = &[(
    "bnsl_4digit_addition/bnsl_4digit_addition.csv",
    "the broken power law is fitted by scalelaw fit --law bnsl; the report draws chinchilla only",
)];

/// CSV files under `data/` that hold no observations to fit (expected values and
/// reference results of other tools).
const NOT_DATA: &[&str] = &[
    "usl/expected_values.csv",
    "nvidia_bert_dp_throughput/reference_fits_ours.csv",
];

#[test]
fn report_for_every_data_set() {
    let dir = tempfile::tempdir().expect("temporary directory");
    for (k, (file, columns)) in DATA_SETS.iter().enumerate() {
        let page = dir.path().join(format!("report{k}.html"));
        let mut args = columns.to_vec();
        args.extend(["--bootstrap", "20", "--seed", "1"]);
        run_report(&data_file(file), &page, &args);
        let html = std::fs::read_to_string(&page).expect("read the report");
        let first_plot = if columns.contains(&"chinchilla") {
            "<figure class=\"plot\" data-plot=\"loss-compute\">"
        } else {
            "<figure class=\"plot\" data-plot=\"scaling\">"
        };
        assert!(
            html.contains(first_plot),
            "{file}: no {first_plot} in the report"
        );
    }
}

#[test]
fn data_set_list_is_complete() {
    let data = repo_root().join("data");
    let mut missing = Vec::new();
    for folder in std::fs::read_dir(&data).expect("read data/") {
        let folder = folder.expect("directory entry").path();
        if !folder.is_dir() {
            continue;
        }
        for file in std::fs::read_dir(&folder).expect("read a data folder") {
            let path = file.expect("directory entry").path();
            if path.extension().is_none_or(|e| e != "csv") {
                continue;
            }
            let relative = path
                .strip_prefix(&data)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            let listed = DATA_SETS.iter().any(|(f, _)| *f == relative)
                || NOT_REPORTED.iter().any(|(f, _)| *f == relative)
                || NOT_DATA.contains(&relative.as_str());
            if !listed {
                missing.push(relative);
            }
        }
    }
    assert!(
        missing.is_empty(),
        "data files not listed in DATA_SETS or NOT_DATA of tests/report_data.rs: {missing:?}"
    );
}
