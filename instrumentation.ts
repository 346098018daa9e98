// Runs once when the Next server starts, before it answers a request: removes upload temp files
// left by a server killed mid-upload, and confines DuckDB to the directories the server ingests
// from before any page opens the database, because the SQL console executes user SQL on the
// server's instance (lib/db/instance.ts restrictFileAccess); and answers the malformed requests
// Next would turn into a 500 (unknown methods, bad percent-encoding) itself (lib/http/node-guard.ts).

export async function register(): Promise<void> {
  // The edge runtime has no file system and never opens DuckDB.
  if (process.env.NEXT_RUNTIME !== 'nodejs') return;
  const { removeStaleUploads, serverInputDirs } = await import('./lib/db/ingest-jobs.ts');
  const { restrictFileAccess } = await import('./lib/db/instance.ts');
  const { installNodeGuard } = await import('./lib/http/node-guard.ts');
  installNodeGuard();
  const removed = removeStaleUploads();
  if (removed.length > 0) console.log(`removed ${removed.length} upload temp file(s) left by a server that stopped mid-upload`);
  restrictFileAccess(serverInputDirs());
}
