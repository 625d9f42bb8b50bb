import type { AllMiddlewareArgs, App, BlockAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import type { SlackDeps } from '../deps.js';
import { instrument } from '../listen.js';
import type { Values } from './forms.js';
import { selectedValue } from './payloads.js';

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

/**
 * A preview block that follows two selects of an open form (impact × urgency → priority, impact ×
 * likelihood → risk): redrawn whenever either changes, before the form is submitted.
 */
export function livePreview(app: App, deps: Pick<SlackDeps, 'metrics' | 'logger'>, selects: readonly [string, string], previewBlock: string, render: (a: string | undefined, b: string | undefined) => unknown): void {
  for (const actionId of selects) {
    app.action(
      actionId,
      instrument(`action.${actionId}`, deps.metrics, deps.logger, async ({ ack, body, client }: SlackActionMiddlewareArgs<BlockAction> & AllMiddlewareArgs) => {
        await ack();
        const view = body.view;
        if (!view) return;
        const values = (view.state?.values ?? {}) as Values;
        await replaceBlock(client, view as never, previewBlock, render(selectedValue(values, selects[0]), selectedValue(values, selects[1])));
      }),
    );
  }
}
