import { apiError, type WireAnswer } from './local-postmark-wire';
import { parseTemplate, renderTemplate, TemplateSyntaxError } from './mustachio';

/** Postmark's template API (`/templates`, wire format) for the local stand-in, and the rendering of a templated send. */

type Fields = Record<string, unknown>;

export interface StoredTemplate {
  TemplateId: number;
  Name: string;
  Alias: string | null;
  Subject: string;
  HtmlBody: string | null;
  TextBody: string | null;
  TemplateType: 'Standard' | 'Layout';
  LayoutTemplate: string | null;
  Active: boolean;
  AssociatedServerId: number;
}

export interface RenderedMessage {
  subject: string;
  htmlBody?: string;
  textBody?: string;
}

const SERVER_ID = 1;
const NOT_FOUND = apiError(422, 1101, "The 'TemplateId' or 'TemplateAlias' associated with this request is not valid or was not found.");

export function createTemplateStore() {
  const templates = new Map<number, StoredTemplate>();
  let nextId = 1_000_001;

  const find = (idOrAlias: string | number): StoredTemplate | undefined => {
    const key = String(idOrAlias);
    return [...templates.values()].find((t) => String(t.TemplateId) === key || t.Alias === key);
  };

  /** Postmark refuses a template whose fields do not parse, or an alias another template holds. */
  const invalid = (fields: Fields, self: StoredTemplate | undefined): WireAnswer | null => {
    for (const field of ['Subject', 'HtmlBody', 'TextBody'] as const) {
      const value = fields[field];
      if (value === undefined || value === null) continue;
      if (typeof value !== 'string') return apiError(422, 1122, `The '${field}' field must be a string.`);
      try {
        parseTemplate(value);
      } catch (err) {
        if (err instanceof TemplateSyntaxError) return apiError(422, 1122, `The '${field}' field could not be parsed: ${err.message}`);
        throw err;
      }
    }
    const alias = fields.Alias;
    if (typeof alias === 'string' && alias !== '') {
      if (!/^[a-zA-Z][\w.-]*$/.test(alias)) return apiError(422, 1122, `The alias '${alias}' is invalid.`);
      const holder = find(alias);
      if (holder && holder !== self) return apiError(422, 1122, `The alias '${alias}' is already in use by template ${holder.TemplateId}.`);
    }
    return null;
  };

  const summary = (t: StoredTemplate) => ({
    TemplateId: t.TemplateId,
    Name: t.Name,
    Alias: t.Alias,
    TemplateType: t.TemplateType,
    Active: t.Active,
  });

  function create(fields: Fields): WireAnswer {
    if (typeof fields.Name !== 'string' || fields.Name.trim() === '') return apiError(422, 1120, "The 'Name' field is required.");
    if (typeof fields.Subject !== 'string' || fields.Subject.trim() === '') return apiError(422, 1120, "The 'Subject' field is required.");
    if (!fields.HtmlBody && !fields.TextBody) return apiError(422, 1120, "Either 'HtmlBody' or 'TextBody' is required.");
    const refused = invalid(fields, undefined);
    if (refused) return refused;
    const template: StoredTemplate = {
      TemplateId: nextId++,
      Name: fields.Name,
      Alias: typeof fields.Alias === 'string' && fields.Alias !== '' ? fields.Alias : null,
      Subject: fields.Subject,
      HtmlBody: typeof fields.HtmlBody === 'string' ? fields.HtmlBody : null,
      TextBody: typeof fields.TextBody === 'string' ? fields.TextBody : null,
      TemplateType: fields.TemplateType === 'Layout' ? 'Layout' : 'Standard',
      LayoutTemplate: typeof fields.LayoutTemplate === 'string' ? fields.LayoutTemplate : null,
      Active: true,
      AssociatedServerId: SERVER_ID,
    };
    templates.set(template.TemplateId, template);
    return { status: 200, body: summary(template) };
  }

  function edit(idOrAlias: string, fields: Fields): WireAnswer {
    const template = find(idOrAlias);
    if (!template) return NOT_FOUND;
    const refused = invalid(fields, template);
    if (refused) return refused;
    for (const field of ['Name', 'Subject', 'HtmlBody', 'TextBody', 'Alias', 'LayoutTemplate'] as const) {
      if (fields[field] !== undefined) Object.assign(template, { [field]: fields[field] });
    }
    return { status: 200, body: summary(template) };
  }

  function list(params: URLSearchParams): WireAnswer {
    const count = Number(params.get('count') ?? NaN);
    const offset = Number(params.get('offset') ?? NaN);
    if (!Number.isInteger(count) || count < 1 || count > 500 || !Number.isInteger(offset) || offset < 0) {
      return apiError(422, 1, "The 'count' (1-500) and 'offset' parameters are required.");
    }
    const type = params.get('templateType') ?? params.get('TemplateType');
    const matching = [...templates.values()].filter((t) => !type || type === 'All' || t.TemplateType === type);
    const page = matching.slice(offset, offset + count).map((t) => ({ ...summary(t), LayoutTemplate: t.LayoutTemplate }));
    return { status: 200, body: { TotalCount: matching.length, Templates: page } };
  }

  return {
    /** The `/templates` routes; null when the path is not one of them. */
    route(method: string, path: string, params: URLSearchParams, body: Fields | undefined): WireAnswer | null {
      if (path === '/templates' && method === 'GET') return list(params);
      if (path === '/templates' && method === 'POST') return body ? create(body) : apiError(422, 402, 'Received invalid JSON input.');
      const one = /^\/templates\/([^/]+)$/.exec(path);
      if (!one) return null;
      const idOrAlias = decodeURIComponent(one[1]);
      if (method === 'GET') {
        const template = find(idOrAlias);
        return template ? { status: 200, body: template } : NOT_FOUND;
      }
      if (method === 'PUT') return body ? edit(idOrAlias, body) : apiError(422, 402, 'Received invalid JSON input.');
      if (method === 'DELETE') {
        const template = find(idOrAlias);
        if (!template) return NOT_FOUND;
        templates.delete(template.TemplateId);
        return { status: 200, body: { ErrorCode: 0, Message: `Template ${template.TemplateId} removed.` } };
      }
      return null;
    },
    /** Renders a templated send as Postmark would; a 422 when its template does not exist. */
    render(msg: Fields): RenderedMessage | WireAnswer {
      const template = find(typeof msg.TemplateAlias === 'string' ? msg.TemplateAlias : Number(msg.TemplateId));
      if (!template || !template.Active) return NOT_FOUND;
      const model = msg.TemplateModel ?? {};
      return {
        subject: renderTemplate(template.Subject, model, { html: false }),
        htmlBody: template.HtmlBody === null ? undefined : renderTemplate(template.HtmlBody, model, { html: true }),
        textBody: template.TextBody === null ? undefined : renderTemplate(template.TextBody, model, { html: false }),
      };
    },
    list: () => [...templates.values()],
    clear: () => templates.clear(),
  };
}

export type TemplateStore = ReturnType<typeof createTemplateStore>;
