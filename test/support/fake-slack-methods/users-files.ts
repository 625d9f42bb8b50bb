/** auth.*, users.*, usergroups.* and files.* handlers of the fake Slack Web API. */
import type { FakeFile, FakeSlack } from '../fake-slack.js';
import { parseBody } from './http-util.js';
import { SlackApiError, bool, fail, int, json, opt, paginate, req, type HandlerMap } from './shared.js';
import { checkMessageBlocks, threadArg } from './chat.js';
import { userObject } from './render.js';

/** Slack's upload limit for files.getUploadURLExternal. */
export const MAX_UPLOAD_BYTES = 1024 * 1024 * 1024;

function fileObject(fake: FakeSlack, f: FakeFile): Record<string, any> {
  return {
    id: f.id,
    created: f.created,
    timestamp: f.created,
    name: f.filename,
    title: f.title,
    mimetype: 'text/plain',
    filetype: f.filename.split('.').pop() ?? 'text',
    pretty_type: 'Plain Text',
    user: fake.botUserId,
    size: f.bytes.length,
    is_external: false,
    is_public: f.channels.some((c) => !fake.channels.get(c)?.is_private),
    url_private: `${fake.baseUrl}/files/${f.id}/${encodeURIComponent(f.filename)}`,
    permalink: `https://fake.slack.test/files/${fake.botUserId}/${f.id}/${encodeURIComponent(f.filename)}`,
    channels: f.channels.filter((c) => !fake.channels.get(c)?.is_private),
    groups: f.channels.filter((c) => fake.channels.get(c)?.is_private),
    alt_txt: f.alt_text,
  };
}

export const userAndFileMethods: HandlerMap = {
  'auth.test'(fake) {
    return { url: 'https://fake.slack.test/', team: 'Fake Team', user: fake.users.get(fake.botUserId)?.name ?? 'bot', team_id: fake.teamId, user_id: fake.botUserId, bot_id: fake.botId, is_enterprise_install: false };
  },

  'users.info'(fake, args) {
    const u = fake.users.get(opt(args, 'user') ?? '');
    if (!u) fail('user_not_found');
    return { user: userObject(fake, u) };
  },

  'users.list'(fake, args) {
    const { page, response_metadata } = paginate([...fake.users.values()], args, 200);
    return { members: page.map((u) => userObject(fake, u)), cache_ts: Math.floor(fake.now() / 1000), response_metadata };
  },

  'users.lookupByEmail'(fake, args) {
    const email = req(args, 'email').toLowerCase();
    const u = [...fake.users.values()].find((x) => x.email?.toLowerCase() === email && !x.deleted);
    if (!u) fail('users_not_found');
    return { user: userObject(fake, u) };
  },

  'usergroups.list'(fake, args) {
    const includeUsers = bool(args.include_users);
    const usergroups = [...fake.usergroups.values()].map((g) => ({
      id: g.id,
      team_id: fake.teamId,
      is_usergroup: true,
      name: g.name,
      handle: g.handle,
      description: '',
      user_count: g.users.length,
      ...(includeUsers ? { users: [...g.users] } : {}),
    }));
    return { usergroups };
  },

  'usergroups.users.list'(fake, args) {
    const g = fake.usergroups.get(opt(args, 'usergroup') ?? '');
    if (!g) fail('no_such_subteam');
    return { users: [...g.users] };
  },

  'files.getUploadURLExternal'(fake, args) {
    const filename = req(args, 'filename');
    const length = int(args.length, -1);
    if (length < 0) fail('invalid_arguments', ['[ERROR] missing required field: length']);
    if (length > MAX_UPLOAD_BYTES) fail('invalid_arguments', ['[ERROR] file too large']);
    const id = fake.nextId('F');
    fake.files.set(id, { id, title: filename, filename, content: '', bytes: Buffer.alloc(0), length, channels: [], uploaded: false, completed: false, created: Math.floor(fake.now() / 1000), alt_text: opt(args, 'alt_text') });
    return { upload_url: `${fake.baseUrl}/upload/${id}`, file_id: id };
  },

  'files.completeUploadExternal'(fake, args) {
    const files = json(args, 'files');
    if (!Array.isArray(files) || files.length === 0) fail('invalid_arguments', ['[ERROR] missing required field: files']);
    const entries = files.map((f: any) => {
      const file = typeof f?.id === 'string' ? fake.files.get(f.id) : undefined;
      if (!file || !file.uploaded || file.completed) fail('file_not_found');
      return { file, title: typeof f.title === 'string' && f.title ? f.title : file.filename };
    });
    const channelId = opt(args, 'channel_id') ?? opt(args, 'channels');
    const ch = channelId ? fake.resolveChannel(channelId) : undefined;
    if (channelId && !ch) fail('invalid_channel');
    if (ch && (ch.is_archived || (ch.is_private && !ch.members.has(fake.botUserId)))) fail('posting_to_channel_denied');
    const blocks = json(args, 'blocks', 'invalid_blocks_format');
    if (blocks !== undefined) {
      if (!Array.isArray(blocks)) fail('invalid_blocks_format');
      checkMessageBlocks(blocks);
    }
    const thread_ts = ch ? threadArg(fake, ch, args) : undefined;
    for (const { file, title } of entries) {
      file.title = title;
      file.completed = true;
      if (ch) file.channels.push(ch.id);
    }
    if (ch) {
      const initial = opt(args, 'initial_comment');
      fake.postInternal(ch, { user: fake.botUserId, subtype: 'file_share', text: initial ?? '', blocks, thread_ts, files: entries.map((e) => fileObject(fake, e.file)) });
    }
    return { files: entries.map((e) => ({ id: e.file.id, title: e.file.title })) };
  },

  'files.info'(fake, args) {
    const f = fake.files.get(opt(args, 'file') ?? '');
    if (!f || !f.completed) fail('file_not_found');
    return { file: { ...fileObject(fake, f), preview: f.content.slice(0, 1000) }, content: f.content, comments: [], response_metadata: { next_cursor: '' } };
  },

  'files.delete'(fake, args) {
    const id = opt(args, 'file') ?? '';
    if (!fake.files.has(id)) fail('file_not_found');
    fake.files.delete(id);
    return {};
  },
};

/** Handles POST /upload/<fileId>: raw bytes or multipart (web-api sends multipart with one file part). */
export async function receiveUpload(fake: FakeSlack, fileId: string, contentType: string, raw: Buffer): Promise<{ status: number; body: string }> {
  const file = fake.files.get(decodeURIComponent(fileId));
  if (!file || file.completed) return { status: 404, body: 'invalid upload url' };
  let bytes = raw;
  if (contentType.toLowerCase().includes('multipart/form-data')) {
    try {
      const fields = await parseBody(contentType, raw);
      const part = Object.values(fields).find((v) => typeof v === 'object' && v !== null && Buffer.isBuffer((v as any).bytes));
      bytes = part ? (part as any).bytes : Buffer.from(String(fields.file ?? fields.body ?? ''), 'utf8');
    } catch (err) {
      return { status: 400, body: `bad multipart body: ${String(err instanceof SlackApiError ? err.error : err)}` };
    }
  }
  file.bytes = bytes;
  file.content = bytes.toString('utf8');
  file.uploaded = true;
  return { status: 200, body: `OK - ${bytes.length}` };
}
