import { createReadStream, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';

const GZIP_MAGIC = [0x1f, 0x8b];

/** Whether the file starts with the gzip magic bytes (the name is not trusted). */
export async function isGzipFile(path: string): Promise<boolean> {
  const handle = await open(path, 'r');
  try {
    const head = Buffer.alloc(2);
    const { bytesRead } = await handle.read(head, 0, 2, 0);
    return bytesRead === 2 && head[0] === GZIP_MAGIC[0] && head[1] === GZIP_MAGIC[1];
  } finally {
    await handle.close();
  }
}

export interface EdgeListSource {
  /** The decompressed bytes of the list. */
  source: AsyncIterable<Buffer>;
  /** Size of the file on disk; progress counts `fileBytesRead` against it. */
  totalBytes: number;
  /** Bytes of the file (compressed, for gzip) read so far. */
  fileBytesRead(): number;
}

/**
 * An edge list file, plain or gzip (detected from its first bytes), as a stream of decompressed
 * chunks. Progress is measured on the file itself, so a percentage is right for gzip too.
 */
export async function openEdgeListFile(path: string): Promise<EdgeListSource> {
  const gzip = await isGzipFile(path);
  const totalBytes = statSync(path).size;
  const file = createReadStream(path, { highWaterMark: 1 << 20 });
  const source: Readable = gzip ? file.pipe(createGunzip({ chunkSize: 1 << 20 })) : file;
  if (gzip) file.on('error', (e) => source.destroy(e));
  return { source, totalBytes, fileBytesRead: () => file.bytesRead };
}
