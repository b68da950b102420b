//! Tests of the spilled map.

use std::collections::HashMap;

use super::*;

fn keys() -> impl Iterator<Item = u64> {
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    std::iter::repeat_with(move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    })
}

#[test]
fn behaves_like_a_map_across_merges() {
    let dir = tempfile::tempdir().expect("temp dir");
    // A small limit: dozens of merges, removals and replacements in every layer.
    let mut map = SpillMap::<u32>::create(dir.path(), "ids", 300).expect("create");
    let mut model = HashMap::new();
    for (i, x) in keys().take(20_000).enumerate() {
        let i = i as u32;
        let key = if i.is_multiple_of(5) { x % 2_000 } else { x };
        match map.get(key).expect("get") {
            None => {
                map.insert(key, i).expect("insert");
                model.insert(key, i);
            }
            Some(v) if i.is_multiple_of(3) => {
                assert_eq!(Some(&v), model.get(&key));
                map.set(key, i).expect("set");
                model.insert(key, i);
            }
            Some(v) => assert_eq!(Some(&v), model.get(&key)),
        }
        if i.is_multiple_of(13) {
            let victim = key % 3_000;
            let held = map.remove(victim).expect("remove");
            assert_eq!(held, model.remove(&victim).is_some());
        }
        assert_eq!(map.len(), model.len());
    }
    for (key, value) in &model {
        assert_eq!(map.get(*key).expect("get"), Some(*value));
    }
    for key in keys().skip(50_000).take(2_000) {
        assert_eq!(map.get(key).expect("get"), model.get(&key).copied());
    }
    let mut expected: Vec<_> = model.into_iter().collect();
    expected.sort_unstable();
    let mut listed = Vec::new();
    map.for_each(|k, v| {
        listed.push((k, v));
        Ok(())
    })
    .expect("for_each");
    assert_eq!(listed, expected);

    let rebuilt = SpillMap::from_sorted(dir.path(), "copy", 300, listed.iter().copied())
        .expect("write")
        .expect("sorted");
    assert_eq!(rebuilt.len(), expected.len());
    for (key, value) in &expected {
        assert_eq!(rebuilt.get(*key).expect("get"), Some(*value));
    }
    assert!(
        SpillMap::<u32>::from_sorted(dir.path(), "bad", 10, [(2, 0), (1, 0)])
            .expect("write")
            .is_none()
    );
}

#[test]
fn memory_stays_small_and_files_are_scratch() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("ids-7.run"), b"left by a crash").expect("write");
    let mut map = SpillMap::<u32>::create(dir.path(), "ids", 10_000).expect("create");
    assert!(!dir.path().join("ids-7.run").exists());
    for (i, key) in keys().take(100_000).enumerate() {
        map.insert(key, i as u32).expect("insert");
    }
    map.settle(true).expect("merge");
    assert!(map.active.len() < 10_000);
    // Tiered: 100,000 entries in 10,000s make one run of the second tier and two of the
    // first, not one run per merge.
    let on_disk: usize = map.runs.iter().map(|r| r.len).sum();
    assert!(map.runs.len() <= 4, "{} runs", map.runs.len());
    // Fences and filters: under 2 bytes an entry on disk.
    let in_memory: usize = map
        .runs
        .iter()
        .map(|r| r.fences.len() * 8 + r.filter.blocks.len() * 64)
        .sum();
    assert!(in_memory < 2 * on_disk, "{in_memory} bytes for {on_disk}");
    // A key never inserted is mostly ruled out without reading: about 1 % pass each run's.
    let passed = keys()
        .skip(500_000)
        .take(10_000)
        .filter(|k| map.runs.iter().any(|r| r.filter.may_hold(*k)))
        .count();
    assert!(
        passed < 200 * map.runs.len(),
        "{passed} of 10,000 absent keys passed a filter of {} runs",
        map.runs.len()
    );
    drop(map);
    let left: Vec<_> = std::fs::read_dir(dir.path()).expect("dir").collect();
    assert!(left.is_empty(), "{left:?}");
}
