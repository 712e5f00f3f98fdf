extension SQLiteSearchStore {
    /// Schema version 1 (SCHEMA.md explains every column).
    static let schema = """
        CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        CREATE TABLE run (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            created_at TEXT NOT NULL,
            dataset TEXT NOT NULL,
            budget_bytes INTEGER NOT NULL,
            mem_scope TEXT NOT NULL CHECK (mem_scope IN ('total', 'activations')),
            method TEXT NOT NULL,
            seed INTEGER NOT NULL,
            supernet_path TEXT NOT NULL,
            supernet_sha256 TEXT NOT NULL,
            family TEXT NOT NULL,
            settings_json TEXT NOT NULL,
            tool_version TEXT NOT NULL,
            status TEXT NOT NULL CHECK (status IN ('running', 'finished', 'failed')),
            result_json TEXT);
        CREATE TABLE phases (name TEXT NOT NULL, started_at REAL NOT NULL, ended_at REAL);
        CREATE TABLE candidates (
            id INTEGER PRIMARY KEY,
            arch_json TEXT NOT NULL,
            arch_hash TEXT NOT NULL,
            generation INTEGER NOT NULL,
            origin TEXT NOT NULL CHECK (origin IN ('anchor', 'random', 'mutation', 'crossover')),
            parent1 INTEGER REFERENCES candidates (id),
            parent2 INTEGER REFERENCES candidates (id),
            resolution INTEGER NOT NULL,
            planned_bytes INTEGER NOT NULL,
            planned_activation_bytes INTEGER NOT NULL,
            ledger_json TEXT NOT NULL,
            formula_bytes INTEGER NOT NULL,
            mflops REAL NOT NULL,
            parameters INTEGER NOT NULL,
            status TEXT NOT NULL CHECK (status IN ('evaluating', 'evaluated', 'rejected', 'failed')),
            val_top1 REAL,
            val_loss REAL,
            eval_seconds REAL,
            started_at REAL NOT NULL,
            finished_at REAL);
        CREATE INDEX candidates_arch_hash ON candidates (arch_hash);
        """
}
