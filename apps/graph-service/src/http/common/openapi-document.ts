import { INestApplication } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';

/**
 * The OpenAPI document of the HTTP edge, as Swagger UI (/docs, /docs-json) serves it and as
 * `npm run openapi` writes it to docs/openapi.json. operationIds are the handler names or the
 * operationId of the route's @ApiOperation (verbs: followUser, listFollowers), never prefixed
 * with the controller's name.
 */
export function openApiDocument(app: INestApplication): OpenAPIObject {
  return SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Graph Service')
      .setDescription(
        'Who follows whom: follows, follow requests, blocks, lists, relationships, exact counters and suggestions, and the admin API. ' +
          'Ids are decimal strings. Use "Authorize" with a bearer JWT (npm run token -- --user 42 [--admin]). ' +
          'Every error has the one ErrorResponse shape; each response lists its codes.',
      )
      .setVersion('1')
      .addServer('/', 'This instance')
      .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' }, 'bearer')
      .addSecurityRequirements('bearer')
      .build(),
    { operationIdFactory: (_controllerKey: string, methodKey: string) => methodKey },
  );
}
