import { dropStaleTestDatabases } from './database.js';

/** Run by the test command before the suites. */
const dropped = await dropStaleTestDatabases();
if (dropped.length) console.log(`[test] dropped ${dropped.length} stale test database(s)`);
