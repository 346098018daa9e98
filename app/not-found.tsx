import Link from 'next/link';

export default function NotFound() {
  return (
    <div className="card" style={{ maxWidth: 640 }}>
      <h1>Not found</h1>
      <p>There is no such page or trace. It may have been removed, or the link has a wrong trace id.</p>
      <p>
        <Link href="/">Back to the traces</Link>
      </p>
    </div>
  );
}
