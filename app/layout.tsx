import type { Metadata } from 'next';
import Link from 'next/link';
import type { ReactNode } from 'react';
import './globals.css';

export const metadata: Metadata = {
  title: { default: 'PRI Trace Lab', template: '%s · PRI Trace Lab' },
  description: 'Latency analytics for PCIe PRI page requests and responses',
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>
        <a className="skip-link" href="#main">
          Skip to content
        </a>
        <header className="site-header">
          <Link href="/" className="brand">
            PRI Trace Lab
          </Link>
          <nav aria-label="Site">
            <Link href="/">Traces</Link>
            <Link href="/fleet">Fleet</Link>
          </nav>
        </header>
        <main id="main" className="site-main">
          {children}
        </main>
        <footer className="site-footer no-print" style={{ padding: '1rem 1.5rem', fontSize: '0.85rem' }}>
          <nav aria-label="Tools" style={{ display: 'flex', gap: '1rem' }}>
            <Link href="/compare">Compare traces or runs</Link>
            <Link href="/sql">SQL console</Link>
          </nav>
        </footer>
      </body>
    </html>
  );
}
