// @types/react is not installed (the console uses a handful of React calls through
// createElement); these are the only declarations it needs. Replace this file with
// @types/react and @types/react-dom if the web side grows.
declare module 'react' {
  export type ReactNode = unknown;
  export type FC<P = Record<string, unknown>> = (props: P) => ReactNode;
  export type ComponentPropsWithoutRef<T> = T extends FC<infer P> ? P : Record<string, unknown>;
  export type ComponentProps<T> = ComponentPropsWithoutRef<T>;
  export function createElement(type: unknown, props?: Record<string, unknown> | null, ...children: unknown[]): ReactNode;
  export function useState<T>(initial: T): [T, (next: T) => void];
}

declare module 'react-dom/client' {
  export function createRoot(container: Element): { render(node: unknown): void; unmount(): void };
}
