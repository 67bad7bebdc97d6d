import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Controller, Get, HttpCode, Param, Post, Query, Req } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBody, ApiConsumes, ApiOkResponse, ApiOperation, ApiParam } from '@nestjs/swagger';
import { GetEdgeImportUseCase, JobView, StartEdgeImportUseCase } from '@graph/application';
import { ImportOutcome, ValidationError } from '@graph/domain';
import { openEdgeListFile } from '@graph/infrastructure';
import { AppConfig } from '../../config/app-config';
import { ApiErrors } from '../common/api-docs.decorators';
import { HttpEdgeError } from '../errors/framework-errors';
import { ADMIN_PREFIX, AdminApi } from './admin-api.decorators';
import { ImportJobDto, ImportOutcomeDto, ImportProgressDto, ImportQueryDto, jobBody } from './admin.dto';

/** Content types an edge list may be uploaded as (the bytes are sniffed for gzip whatever the type). */
const EDGE_LIST_TYPES = ['text/plain', 'application/gzip', 'application/x-gzip', 'application/octet-stream'];

/** The upload route, for the HTTP edge (which otherwise takes JSON bodies only). */
export const EDGE_LIST_UPLOAD = { path: `/${ADMIN_PREFIX}/imports`, types: EDGE_LIST_TYPES };

type UploadRequest = Readable & { headers: Record<string, string | string[] | undefined>; body?: unknown };

function tooLarge(maxBytes: number): HttpEdgeError {
  return new HttpEdgeError('PAYLOAD_TOO_LARGE', `the edge list is larger than IMPORT_UPLOAD_MAX_BYTES (${maxBytes} bytes); load it with npm run import`);
}

/** Passes the upload through, failing it once more than `maxBytes` went by (a body without Content-Length). */
function byteLimit(maxBytes: number): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      seen += chunk.length;
      done(seen > maxBytes ? tooLarge(maxBytes) : null, chunk);
    },
  });
}

function importBody(job: JobView): ImportJobDto {
  return { ...jobBody<ImportProgressDto>(job), outcome: job.result ? ImportOutcomeDto.of(job.result as ImportOutcome) : null };
}

/** Bulk import of an edge list as a background job. */
@AdminApi()
@Controller(`${ADMIN_PREFIX}/imports`)
export class ImportsAdminController {
  constructor(
    private readonly startImport: StartEdgeImportUseCase,
    private readonly getImport: GetEdgeImportUseCase,
    private readonly config: AppConfig,
  ) {}

  @Post()
  @HttpCode(202)
  @ApiOperation({
    summary: 'Upload an edge list to import (background job)',
    description:
      'The body is the list itself, plain or gzip: one "follower following" pair per line, space or tab separated, `#` comment lines. ' +
      'It is stored, then imported as a job (COPY into a staging table, one set-based merge, counters updated, cache entries of the affected users dropped). ' +
      'Duplicates, self-loops and blocked pairs are skipped and counted; a bad line fails the job with its line number and imports nothing. ' +
      'No events unless `events=true`. Watch it on GET /imports/{jobId}. ' +
      'At most IMPORT_UPLOAD_MAX_BYTES as sent (default 512 MiB; compressed bytes for gzip): a larger body is 413 PAYLOAD_TOO_LARGE and nothing is imported (load bigger files with `npm run import`).',
  })
  @ApiConsumes(...EDGE_LIST_TYPES)
  @ApiBody({ schema: { type: 'string', format: 'binary', example: '# follower following\n1 2\n2 3\n' } })
  @ApiAcceptedResponse({ type: ImportJobDto })
  @ApiErrors('VALIDATION_FAILED', 'PAYLOAD_TOO_LARGE')
  async startEdgeImport(@Req() req: UploadRequest, @Query() q: ImportQueryDto): Promise<ImportJobDto> {
    const type = String(req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (!EDGE_LIST_TYPES.includes(type)) {
      throw new ValidationError(`send the edge list as one of ${EDGE_LIST_TYPES.join(', ')} (got "${type || 'none'}")`, 'content-type');
    }
    const maxBytes = this.config.importUploadMaxBytes;
    if (Number(req.headers['content-length'] ?? 0) > maxBytes) throw tooLarge(maxBytes);
    // Express leaves the request unread; fastify hands the raw stream over as the body.
    const upload = req.body instanceof Readable ? req.body : req;
    const path = join(tmpdir(), `graph-import-${randomUUID()}`);
    // pipe(), not a pipeline stage: a refused upload must not destroy the request's socket, or the
    // 413 never leaves; a client that breaks off still fails the copy.
    const limited = byteLimit(maxBytes);
    upload.once('error', (error) => limited.destroy(error));
    upload.once('close', () => {
      if (!upload.readableEnded) limited.destroy(new Error('the upload was cut off'));
    });
    try {
      await pipeline(upload.pipe(limited), createWriteStream(path));
    } catch (error) {
      upload.unpipe();
      upload.resume(); // the rest is read and dropped, so the client, still sending, gets to read the answer
      await rm(path, { force: true });
      throw error;
    }
    const job = this.startImport.execute({
      emitEvents: q.events === 'true',
      open: async () => {
        const file = await openEdgeListFile(path);
        return { source: file.source, totalBytes: file.totalBytes, position: file.fileBytesRead };
      },
      cleanup: () => rm(path, { force: true }),
    });
    return importBody(job);
  }

  @Get(':jobId')
  @ApiOperation({ summary: 'Watch an import job', description: 'Progress (bytes, lines, edges, rate), then the outcome: loaded, duplicate, self-loop and blocked counts, or the error (INVALID_EDGE_LIST with the line).' })
  @ApiParam({ name: 'jobId', format: 'uuid' })
  @ApiOkResponse({ type: ImportJobDto })
  @ApiErrors('NOT_FOUND')
  getEdgeImport(@Param('jobId') jobId: string): ImportJobDto {
    return importBody(this.getImport.execute({ jobId }));
  }
}
