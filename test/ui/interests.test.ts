// The preference center with a real client's declared interests (client.interests.list/get/declare).
import { describe, expect, it } from 'vitest';
import { OPTIONS, mount, toggle, until } from './helpers';

const options = {
  ...OPTIONS,
  interests: [
    { id: 'running', label: 'Running & trail' },
    { id: 'cooking', label: 'Cooking' },
  ],
  segments: [...OPTIONS.segments!, { id: 'runner', description: 'Said they run', rule: { declared: 'running' } }],
};

describe('preference center: declared interests of a real client', () => {
  it('shows the labels from client.interests.list(), refuses without consent, declares with it', async () => {
    const { client, root, label, box, text } = await mount(options);
    const inputs = [...root.querySelectorAll<HTMLInputElement>('fieldset.ck-interests input[type="checkbox"]')];
    expect(inputs.map((i) => label(i))).toEqual(['Running & trail', 'Cooking']);
    toggle(box('running'));
    await until(() => /only with your consent/.test(text('[role="status"]')), 'no-consent');
    expect(client.interests.get()).toEqual([]);
    expect(box('running').checked).toBe(false);
    toggle(box('personalization'));
    await until(() => /allowed/.test(text('[role="status"]')), 'grant');
    toggle(box('running'));
    await until(() => /saved/.test(text('[role="status"]')), 'stored');
    expect(client.interests.get()).toEqual(['running']);
    expect(box('running').checked).toBe(true);
    expect((await client.segments()).map((m) => m.id)).toContain('runner');
  });
});
