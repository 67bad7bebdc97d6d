import { Controller, Get, HttpCode, Param, Post, Query, Req } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBody, ApiConsumes, ApiOkResponse, ApiOperation, ApiParam, ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ApiTags } from '@nestjs/swagger';
import { IsOptional, IsString } from 'class-validator';
import getRawBody from 'raw-body';
import { parse } from 'csv-parse/sync';
import {
  GetOwnGraphImportUseCase,
  IMPORT_MAX_ROWS,
  ImportMode,
  ImportOwnGraphUseCase,
  ImportRow,
  ImportedList,
  JobView,
  OwnGraphImportOutcome,
} from '@graph/application';
import { ValidationError } from '@graph/domain';
import { CurrentCaller } from '../auth/auth.decorators';
import { Caller } from '../auth/auth.types';
import { ApiErrors, ApiSignedIn } from '../common/api-docs.decorators';
import { HttpEdgeError } from '../errors/framework-errors';
import { GRAPH_ROUTE_PREFIX } from '../first-page/first-page.routes';
import { JobBaseDto, jobBody } from '../admin/admin.dto';

/** 20,000 rows of the widest layout (following.csv with a few languages) fit well within it. */
const IMPORT_CSV_MAX_BYTES = 4 * 1024 * 1024;
const CSV_TYPES = ['text/csv'];

/** The upload route, for the HTTP edge (which otherwise takes JSON bodies only). */
export const OWN_GRAPH_CSV_UPLOAD = { path: `/${GRAPH_ROUTE_PREFIX}/imports`, types: CSV_TYPES };

type UploadRequest = NodeJS.ReadableStream & { headers: Record<string, string | string[] | undefined>; body?: unknown };

class ImportQueryDto {
  @ApiProperty({ enum: ['following', 'blocks', 'mutes'], description: 'which list the file holds (a file exported as following.csv, blocks.csv or mutes.csv)' })
  @IsOptional()
  @IsString()
  type?: string;

  @ApiPropertyOptional({ enum: ['merge', 'overwrite'], default: 'merge', description: 'merge: add what the file lists; overwrite: also remove what it does not list' })
  @IsOptional()
  @IsString()
  mode?: string;
}

class ImportFailureDto {
  @ApiProperty({ example: 3, description: 'line of the file (1 = the first line, the header included)' }) line!: number;
  @ApiProperty({ example: 'SELF_FOLLOW' }) code!: string;
  @ApiProperty({ example: 'you cannot follow yourself' }) message!: string;
}

class OwnGraphImportProgressDto {
  @ApiProperty({ example: 120 }) total!: number;
  @ApiProperty({ example: 40 }) processed!: number;
}

class OwnGraphImportOutcomeDto {
  @ApiProperty({ example: 117, description: 'rows that changed something' }) applied!: number;
  @ApiProperty({ example: 1, description: 'rows already as listed' }) unchanged!: number;
  @ApiProperty({ example: 2 }) failed!: number;
  @ApiProperty({ example: 0, description: 'overwrite: entries not listed, removed' }) removed!: number;
  @ApiProperty({ type: [ImportFailureDto], description: 'the first 1000 failures, in line order' }) failures!: ImportFailureDto[];
}

class OwnGraphImportJobDto extends JobBaseDto {
  @ApiProperty({ type: OwnGraphImportProgressDto }) progress!: OwnGraphImportProgressDto;
  @ApiProperty({ type: OwnGraphImportOutcomeDto, nullable: true, description: 'set once the import ended' }) outcome!: OwnGraphImportOutcomeDto | null;
}

function importJobBody(job: JobView): OwnGraphImportJobDto {
  return { ...jobBody<OwnGraphImportProgressDto>(job), outcome: (job.result as OwnGraphImportOutcome | null) ?? null };
}

/** The file's data rows with their line numbers; a first row naming "Account address" is the header. */
function csvRows(text: string): ImportRow[] {
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parse(text, { relax_column_count: true, skip_empty_lines: true, trim: true, info: true, bom: true }) as unknown as typeof records;
  } catch (error) {
    throw new ValidationError(`the body is not CSV: ${(error as Error).message}`, 'body');
  }
  const rows = records.map((r) => ({ line: r.info.lines, fields: r.record }));
  if (rows[0] && rows[0].fields[0]?.toLowerCase() === 'account address') rows.shift();
  return rows;
}

/** Import of the caller's own following, blocks or mutes from a CSV file, as a job (docs/api.md "Import"). */
@ApiTags('export')
@ApiSignedIn()
@Controller(`${GRAPH_ROUTE_PREFIX}/imports`)
export class GraphImportController {
  constructor(
    private readonly importOwnGraph: ImportOwnGraphUseCase,
    private readonly getOwnGraphImport: GetOwnGraphImportUseCase,
  ) {}

  @Post()
  @HttpCode(202)
  @ApiOperation({
    operationId: 'startGraphImport',
    summary: 'Import your following, blocks or mutes from a CSV file (a job)',
    description:
      `The body is the file (Content-Type text/csv), in the layout GET /export/{type}.csv gives (Mastodon's, ids in place of addresses; the header line is optional). ` +
      `At most ${IMPORT_MAX_ROWS} rows and ${IMPORT_CSV_MAX_BYTES} bytes. Each row goes through the REST write (POST /follow, /block, /mutes): ` +
      'a row refused (INVALID_USER_ID, SELF_FOLLOW, BLOCKED, RATE_LIMITED, FOLLOW_LIMIT_REACHED, …) is a failure of that row, with its line and code, and the others go on. ' +
      'mode=overwrite removes what the file does not list first. Watch it on GET /imports/{jobId}.',
  })
  @ApiConsumes(...CSV_TYPES)
  @ApiBody({ schema: { type: 'string', example: 'Account address,Show boosts,Notify on new posts,Languages\r\n42,true,false,\r\n' } })
  @ApiAcceptedResponse({ type: OwnGraphImportJobDto })
  @ApiErrors('VALIDATION_FAILED', 'PAYLOAD_TOO_LARGE', 'UNSUPPORTED_MEDIA_TYPE')
  async start(@CurrentCaller() caller: Caller, @Req() req: UploadRequest, @Query() q: ImportQueryDto): Promise<OwnGraphImportJobDto> {
    const type = String(req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (!CSV_TYPES.includes(type)) throw new HttpEdgeError('UNSUPPORTED_MEDIA_TYPE');
    // Express leaves the request unread; fastify hands the raw stream over as the body.
    const upload = (req.body && typeof (req.body as NodeJS.ReadableStream).pipe === 'function' ? req.body : req) as NodeJS.ReadableStream;
    let text: string;
    try {
      text = await getRawBody(upload, { limit: IMPORT_CSV_MAX_BYTES, encoding: 'utf-8' });
    } catch (error) {
      if ((error as { type?: string }).type === 'entity.too.large') throw new HttpEdgeError('PAYLOAD_TOO_LARGE');
      throw error;
    }
    const job = this.importOwnGraph.execute({
      userId: caller.userId,
      list: (q.type ?? '') as ImportedList,
      mode: (q.mode ?? 'merge') as ImportMode,
      rows: csvRows(text),
    });
    return importJobBody(job);
  }

  @Get(':jobId')
  @ApiOperation({ operationId: 'getGraphImport', summary: 'Watch your import job', description: 'Progress (rows processed of total), then the counts and the per-row failures. Another user\'s job is 404 NOT_FOUND.' })
  @ApiParam({ name: 'jobId', format: 'uuid' })
  @ApiOkResponse({ type: OwnGraphImportJobDto })
  @ApiErrors('NOT_FOUND')
  get(@CurrentCaller() caller: Caller, @Param('jobId') jobId: string): OwnGraphImportJobDto {
    return importJobBody(this.getOwnGraphImport.execute({ userId: caller.userId, jobId }));
  }
}
