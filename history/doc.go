// Package history keeps every run of a suite in a store and checks a run's
// numbers against the runs before it.
//
// A Store is a database — an embedded SQLite file (the default,
// .trustml/history.db beside the suite) or a shared PostgreSQL — holding,
// for each run, the run block (suite, fingerprints, seeds, version, start
// time, tags, git commit), every check's status and severity, every number
// a check observed, and the run's whole result document. Its schema is
// versioned and Open migrates older stores forward.
//
// A Spec is the suite's `history:` section: where the store is, whether
// schema changes are reported, and checks that name another check's
// observed number and bound it against history, either as a change from
// the last run or the median of the last N (Change), or as an anomaly
// after Deequ's strategies (Anomaly: batch_normal, mad, holt_winters).
// With too little history a check passes with the message
// "learning: k of N runs": it never fails for want of data.
package history
