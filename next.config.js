/** @type {import('next').NextConfig} */
const nextConfig = {
  // The DuckDB binding is a native addon: it must be required at run time, never bundled.
  serverExternalPackages: ['@duckdb/node-api', '@duckdb/node-bindings'],
};

export default nextConfig;
