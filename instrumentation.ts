// Runs once when a Next.js server process starts, before it serves a request.

export async function register(): Promise<void> {
  // The edge runtime has no file system; the upload temp files only exist for the Node server.
  if (process.env.NEXT_RUNTIME !== 'nodejs') return;
  const { removeStaleUploads } = await import('./lib/db/ingest-jobs.ts');
  const removed = removeStaleUploads();
  if (removed.length > 0) console.log(`removed ${removed.length} upload temp file(s) left by a server that stopped mid-upload`);
}
