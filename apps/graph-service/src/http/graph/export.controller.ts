import { Readable } from 'node:stream';
import { Controller, Get, StreamableFile } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { ExportOwnGraphUseCase, ExportedList } from '@graph/application';
import { CurrentCaller } from '../auth/auth.decorators';
import { Caller } from '../auth/auth.types';
import { ApiSignedIn } from '../common/api-docs.decorators';
import { GRAPH_ROUTE_PREFIX } from '../first-page/first-page.routes';
import { EXPORT_HEADERS, csvChunks } from './export-csv';

const STREAMED =
  'Streamed in keyset pages from PostgreSQL, newest first, ids in place of account addresses; CRLF line ends. ' +
  'A failure after the first bytes ends the download early (the status was sent already).';

function layout(list: ExportedList): string {
  const header = EXPORT_HEADERS[list];
  return header === null ? 'One id per line, no header.' : `Header \`${header}\`.`;
}

const CSV_FILE = { description: 'the CSV file', content: { 'text/csv': { schema: { type: 'string' as const } } } };

/** Downloads of the caller's own graph in Mastodon's CSV layouts (docs/api.md "Export"). */
@ApiTags('export')
@ApiSignedIn()
@Controller(`${GRAPH_ROUTE_PREFIX}/export`)
export class ExportController {
  constructor(private readonly exportOwnGraph: ExportOwnGraphUseCase) {}

  @Get('following.csv')
  @ApiOperation({ operationId: 'exportFollowing', summary: 'The accounts you follow, as CSV', description: `${layout('following')} Accepted follows, with their options (Mastodon's following_accounts.csv). ${STREAMED}` })
  @ApiProduces('text/csv')
  @ApiOkResponse(CSV_FILE)
  following(@CurrentCaller() caller: Caller): StreamableFile {
    return this.file(caller, 'following');
  }

  @Get('followers.csv')
  @ApiOperation({ operationId: 'exportFollowers', summary: 'Your followers, as CSV', description: `${layout('followers')} Accepted followers. ${STREAMED}` })
  @ApiProduces('text/csv')
  @ApiOkResponse(CSV_FILE)
  followers(@CurrentCaller() caller: Caller): StreamableFile {
    return this.file(caller, 'followers');
  }

  @Get('blocks.csv')
  @ApiOperation({ operationId: 'exportBlocks', summary: 'The accounts you block, as CSV', description: `${layout('blocks')} (Mastodon's blocked_accounts.csv). ${STREAMED}` })
  @ApiProduces('text/csv')
  @ApiOkResponse(CSV_FILE)
  blocks(@CurrentCaller() caller: Caller): StreamableFile {
    return this.file(caller, 'blocks');
  }

  @Get('mutes.csv')
  @ApiOperation({ operationId: 'exportMutes', summary: 'The accounts you mute, as CSV', description: `${layout('mutes')} Active mutes (Mastodon's muted_accounts.csv). ${STREAMED}` })
  @ApiProduces('text/csv')
  @ApiOkResponse(CSV_FILE)
  mutes(@CurrentCaller() caller: Caller): StreamableFile {
    return this.file(caller, 'mutes');
  }

  private file(caller: Caller, list: ExportedList): StreamableFile {
    const chunks = csvChunks(list, this.exportOwnGraph.execute({ userId: caller.userId, list }));
    return new StreamableFile(Readable.from(chunks), { type: 'text/csv; charset=utf-8', disposition: `attachment; filename="${list}.csv"` });
  }
}
