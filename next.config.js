/** @type {import('next').NextConfig} */
const nextConfig = {
  // The DuckDB binding is a native addon: it must be required at run time, never bundled.
  // esbuild bundles worker entries only under tsx (lib/core/ts-worker.ts), never in a build.
  serverExternalPackages: ['@duckdb/node-api', '@duckdb/node-bindings', 'esbuild'],
  // No other site may frame a page (clickjacking the upload or the SQL console).
  async headers() {
    return [
      {
        source: '/:path*',
        headers: [
          { key: 'Content-Security-Policy', value: "frame-ancestors 'none'" },
          { key: 'X-Frame-Options', value: 'DENY' },
        ],
      },
    ];
  },
};

export default nextConfig;
