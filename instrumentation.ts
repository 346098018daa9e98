// Runs once when the Next server starts, before it answers a request. The SQL console executes
// user SQL on the server's DuckDB instance, so the server confines DuckDB to the directories it
// ingests from before any page opens the database (lib/db/instance.ts restrictFileAccess).

export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== 'nodejs') return;
  const { restrictFileAccess } = await import('./lib/db/instance.ts');
  const { serverInputDirs } = await import('./lib/db/ingest-jobs.ts');
  restrictFileAccess(serverInputDirs());
}
