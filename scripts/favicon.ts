// `npx tsx scripts/favicon.ts`: writes app/favicon.ico from app/icon.svg (16, 32 and 48 px, PNG-in-ICO), so that
// browsers and tools asking for /favicon.ico get the app's icon rather than a 404. Run it after changing the icon.
// sharp is Next.js's own image library (installed with it).
import { readFileSync, writeFileSync } from 'node:fs';
import sharp from 'sharp';

const SIZES = [16, 32, 48];
const svg = readFileSync('app/icon.svg');
const pngs = await Promise.all(SIZES.map((size) => sharp(svg, { density: (72 * size) / 32 }).resize(size, size).png().toBuffer()));

// ICONDIR (6 bytes), one ICONDIRENTRY (16 bytes) per image, then the images.
const header = Buffer.alloc(6);
header.writeUInt16LE(0, 0); // reserved
header.writeUInt16LE(1, 2); // 1: icon
header.writeUInt16LE(pngs.length, 4);
let offset = 6 + 16 * pngs.length;
const entries = pngs.map((png, i) => {
  const entry = Buffer.alloc(16);
  entry.writeUInt8(SIZES[i]! % 256, 0); // width (0 means 256)
  entry.writeUInt8(SIZES[i]! % 256, 1); // height
  entry.writeUInt8(0, 2); // no palette
  entry.writeUInt8(0, 3); // reserved
  entry.writeUInt16LE(1, 4); // colour planes
  entry.writeUInt16LE(32, 6); // bits per pixel
  entry.writeUInt32LE(png.length, 8);
  entry.writeUInt32LE(offset, 12);
  offset += png.length;
  return entry;
});
writeFileSync('app/favicon.ico', Buffer.concat([header, ...entries, ...pngs]));
console.log(`wrote app/favicon.ico (${SIZES.join(', ')} px)`);
