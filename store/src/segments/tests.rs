//! Tests of the segment log.

use super::*;

fn key(n: u8) -> Key {
    [n; 10]
}

fn open(dir: &Path, pointed: &[Location], tail: Tail) -> (SegmentLog, Vec<(Key, Location)>) {
    SegmentLog::open(dir, 1024, pointed.iter().copied(), tail).expect("open")
}

#[test]
fn values_read_back_after_sync_and_reopening() {
    let dir = tempfile::tempdir().expect("temp dir");
    let log_dir = dir.path().join("log");
    let (mut log, recovered) = open(&log_dir, &[], Tail::Keep);
    assert!(recovered.is_empty());
    let a = log.append(&key(1), b"first value").expect("append");
    let b = log.append(&key(2), &[7u8; 300]).expect("append");
    log.sync().expect("sync");
    assert_eq!(log.segments().read(a).expect("read"), b"first value");
    drop(log);
    let (log, recovered) = open(&log_dir, &[a, b], Tail::Keep);
    assert!(recovered.is_empty(), "everything was pointed to");
    assert_eq!(log.segments().read(b).expect("read"), vec![7u8; 300]);
    assert_eq!(log.size_on_disk(), b.end());
}

#[test]
fn whole_records_after_the_last_pointer_are_kept_or_cut_and_a_torn_one_always_goes() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (mut log, _) = open(dir.path(), &[], Tail::Keep);
    let a = log.append(&key(1), b"pointed to").expect("append");
    let b = log
        .append(&key(2), b"synced, pointer lost")
        .expect("append");
    log.sync().expect("sync");
    drop(log);
    let path = dir.path().join("00000001.seg");
    let mut torn = header(&key(3), b"a group whose write was cut short").to_vec();
    torn.extend_from_slice(b"a group");
    let mut file = OpenOptions::new().append(true).open(&path).expect("open");
    std::io::Write::write_all(&mut file, &torn).expect("append");
    drop(file);

    let (log, recovered) = open(dir.path(), &[a], Tail::Keep);
    assert_eq!(recovered, vec![(key(2), b)]);
    assert_eq!(std::fs::metadata(&path).expect("meta").len(), b.end());
    drop(log);
    let (mut log, recovered) = open(dir.path(), &[a], Tail::Cut);
    assert!(recovered.is_empty());
    assert_eq!(std::fs::metadata(&path).expect("meta").len(), a.end());
    let c = log.append(&key(4), b"after the cut").expect("append");
    log.sync().expect("sync");
    assert_eq!(c.offset, a.end() + HEADER);
    assert_eq!(log.segments().read(c).expect("read"), b"after the cut");
}

#[test]
fn a_damaged_record_is_reported_not_returned() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (mut log, _) = open(dir.path(), &[], Tail::Keep);
    let a = log.append(&key(1), b"some bytes").expect("append");
    log.sync().expect("sync");
    let file = OpenOptions::new()
        .write(true)
        .open(dir.path().join("00000001.seg"))
        .expect("open");
    file.write_all_at(b"X", a.offset + 2).expect("write");
    let err = log.segments().read(a).expect_err("damaged");
    assert!(
        err.to_string()
            .contains("does not match its length and checksum"),
        "{err}"
    );
}

#[test]
fn a_file_shorter_than_its_pointers_is_refused() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (mut log, _) = open(dir.path(), &[], Tail::Keep);
    let a = log.append(&key(1), &[1u8; 100]).expect("append");
    log.sync().expect("sync");
    drop(log);
    let file = OpenOptions::new()
        .write(true)
        .open(dir.path().join("00000001.seg"))
        .expect("open");
    file.set_len(50).expect("truncate");
    let err = SegmentLog::open(dir.path(), 1024, [a], Tail::Cut).expect_err("short");
    assert!(err.to_string().contains("cut short"), "{err}");
}

#[test]
fn full_files_roll_and_files_nothing_points_into_are_removed() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (mut log, _) = open(dir.path(), &[], Tail::Cut);
    let mut at = Vec::new();
    for i in 0..10u8 {
        if log.full() {
            log.sync().expect("sync");
            log.roll().expect("roll");
        }
        at.push(log.append(&key(i), &[i; 400]).expect("append"));
    }
    log.sync().expect("sync");
    assert_eq!(log.current(), 4, "three records of 418 bytes fill 1024");
    assert_eq!(log.size_on_disk(), 10 * 418);
    assert_eq!(log.remove_below(3).expect("remove"), 2);
    assert!(!dir.path().join("00000002.seg").exists());
    assert_eq!(log.size_on_disk(), 4 * 418);
    assert_eq!(log.segments().read(at[6]).expect("read"), vec![6u8; 400]);
    assert_eq!(
        log.remove_below(99).expect("remove"),
        1,
        "never the current file"
    );
    drop(log);
    let (log, _) = open(dir.path(), &at[9..], Tail::Cut);
    assert_eq!(log.current(), 4);
    assert_eq!(log.size_on_disk(), 418);
}

#[test]
fn zeroed_values_leave_no_trace() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (mut log, _) = open(dir.path(), &[], Tail::Keep);
    let a = log.append(&key(1), b"erase me please").expect("append");
    log.sync().expect("sync");
    log.zero(&[a]).expect("zero");
    let bytes = std::fs::read(dir.path().join("00000001.seg")).expect("read");
    assert!(bytes.iter().all(|b| *b == 0));
}
