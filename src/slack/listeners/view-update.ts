import type { WebClient } from '@slack/web-api';

interface OpenView {
  id: string;
  hash: string;
  callback_id: string;
  title: unknown;
  submit?: unknown;
  close?: unknown;
  private_metadata: string;
  blocks: unknown[];
}

/**
 * Replaces one block of an open modal (e.g. a preview under two selects) and keeps the rest as it
 * is; the hash makes Slack refuse the update if the view changed meanwhile.
 */
export async function replaceBlock(client: WebClient, view: OpenView, blockId: string, block: unknown): Promise<void> {
  const blocks = (view.blocks as { block_id?: string }[]).map((b) => (b.block_id === blockId ? block : b));
  await client.views.update({
    view_id: view.id,
    hash: view.hash,
    view: { type: 'modal', callback_id: view.callback_id, title: view.title, ...(view.submit ? { submit: view.submit } : {}), ...(view.close ? { close: view.close } : {}), private_metadata: view.private_metadata, blocks } as never,
  });
}
