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
            <Link href="/compare">Compare</Link>
            <Link href="/sql">SQL</Link>
            <Link href="/fleet">Fleet</Link>
            <Link href="/capture">Capture guide</Link>
          </nav>
        </header>
        <main id="main" className="site-main">
          {children}
        </main>
      </body>
    </html>
  );
}
