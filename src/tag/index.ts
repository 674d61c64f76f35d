// The tag bundle's building blocks (the IIFE entry, with side effects, is iife.ts).
export { installCommandQueue } from './queue';
export type { Command, CommandQueueOptions, QueuedClient } from './queue';
export { resolveConfig } from './config';
export type { ConfigWindow } from './config';
export { fillSlots, refreshSlots } from './slots';
export type { SlotOptions } from './slots';
