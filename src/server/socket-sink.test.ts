import { GraphQLError, type ExecutionResult } from 'graphql';
import { MessageType, stringifyMessage } from 'graphql-ws';
import { describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { shapeErrors } from './edge-errors.js';
import { socketSink } from './ws.js';

/** The socket's side of a sink: what was sent, and a send buffer the test sets. */
function fakeSocket(bufferedAmount = 0, readyState: number = WebSocket.OPEN) {
  const sent: string[] = [];
  const socket = { readyState, bufferedAmount, send: (data: string) => sent.push(data) };
  return { socket, sent, ws: socket as unknown as WebSocket };
}

describe('socketSink (the push path writing to a graphql-ws socket)', () => {
  it('writes a next message with the same bytes graphql-ws builds', () => {
    const { sent, ws } = fakeSocket();
    const result: ExecutionResult = { data: { progressUpdated: { sequence: '7', cursor: 'c', summary: '敬老院 "启用"\n' } } };
    expect(socketSink(ws, 'op-1', 'req', 1024).send(result, JSON.stringify(result))).toBe(true);
    expect(sent).toEqual([stringifyMessage({ id: 'op-1', type: MessageType.Next, payload: result })]);
  });

  it('shapes the errors of a result without JSON text as graphql-ws does with civgraph’s onNext: masked, with the request id', () => {
    const { sent, ws } = fakeSocket();
    const result: ExecutionResult = {
      data: { area: null },
      errors: [new GraphQLError('relation "area_gone" does not exist', { path: ['area'], originalError: new Error('relation "area_gone" does not exist') })],
    };
    socketSink(ws, 'op-2', 'req-9', 1024).send(result, null);
    const expected = stringifyMessage({
      id: 'op-2',
      type: MessageType.Next,
      payload: { ...result, errors: shapeErrors(result.errors!, { requestId: 'req-9' }) },
    });
    expect(sent).toEqual([expected]);
    expect(JSON.parse(sent[0]!).payload.errors[0]).toMatchObject({
      message: 'Internal server error',
      extensions: { code: 'INTERNAL_SERVER_ERROR', requestId: 'req-9' },
    });
    expect(sent[0]).not.toContain('area_gone');
  });

  it('answers false once more than maxBufferedBytes wait in the socket, true up to it', () => {
    const result: ExecutionResult = { data: { x: 1 } };
    expect(socketSink(fakeSocket(1024).ws, 'a', 'r', 1024).send(result, '{}')).toBe(true);
    expect(socketSink(fakeSocket(1025).ws, 'a', 'r', 1024).send(result, '{}')).toBe(false);
  });

  it('sends nothing to a socket that is no longer open', () => {
    const { sent, ws } = fakeSocket(0, WebSocket.CLOSING);
    expect(socketSink(ws, 'a', 'r', 1024).send({ data: { x: 1 } }, '{"data":{"x":1}}')).toBe(true);
    expect(sent).toEqual([]);
  });
});
