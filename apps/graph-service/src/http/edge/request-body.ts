import { IncomingMessage } from 'node:http';
import getRawBody from 'raw-body';
import { HttpEdgeError } from '../errors/framework-errors';

/**
 * How much of a refused body is read and thrown away before the answer (see drainThen): enough
 * for any honest client's upload to finish, bounded so that a huge or endless one cannot hold a
 * socket.
 */
export const REFUSED_BODY_DRAIN_BYTES = 16 * 1024 * 1024;
const REFUSED_BODY_DRAIN_MS = 5_000;

/**
 * The body as UTF-8 text, at most `limit` bytes. raw-body's errors become the edge's own: over the
 * limit 413, a body that ends before its Content-Length (or the client gone) 400.
 */
export async function readBody(req: IncomingMessage, limit: number): Promise<string> {
  try {
    return await getRawBody(req, { length: req.headers['content-length'], limit, encoding: 'utf-8' });
  } catch (error) {
    const status = (error as { status?: unknown }).status;
    if (status === 413) throw new HttpEdgeError('PAYLOAD_TOO_LARGE');
    if (status === 415) throw new HttpEdgeError('UNSUPPORTED_MEDIA_TYPE');
    if (typeof status === 'number' && status >= 400 && status < 500) throw new HttpEdgeError('MALFORMED_REQUEST');
    throw error;
  }
}

/**
 * Reads what is left of a refused request's body and throws it away, then calls `answer`.
 * Answering while the client is still sending makes Node close the socket over unread data, which
 * the kernel turns into a reset: the client loses the answer it had not read yet (a 2 MB body
 * refused 413 gave the client nothing at all). Past REFUSED_BODY_DRAIN_BYTES or
 * REFUSED_BODY_DRAIN_MS the draining stops and the answer goes anyway; the caller's answer must say
 * `Connection: close`, so the socket is closed once it is written.
 */
export function drainThen(req: IncomingMessage, answer: () => void): void {
  if (req.complete || req.readableEnded || req.destroyed) {
    answer();
    return;
  }
  let drained = 0;
  let answered = false;
  const finish = () => {
    if (answered) return;
    answered = true;
    clearTimeout(timer);
    req.off('data', onData).off('end', finish).off('close', finish).off('error', finish);
    if (!req.readableEnded) req.pause();
    answer();
  };
  const onData = (chunk: Buffer) => {
    drained += chunk.length;
    if (drained > REFUSED_BODY_DRAIN_BYTES) finish();
  };
  const timer = setTimeout(finish, REFUSED_BODY_DRAIN_MS).unref();
  req.on('data', onData).once('end', finish).once('close', finish).once('error', finish);
  req.resume();
}
