import { describe, expect, it } from 'vitest';
import { connectBanner } from '../../lib/pages/connect-banner';

const ID = '3f6c2a52-5d8e-4c61-9a43-6a0d1f7a2b10';

describe('the banner after a connect', () => {
  it('names the connection while it is live', () => {
    expect(connectBanner({ connected: 'confluence', connection: ID }, [{ id: ID, product: 'confluence' }])).toBe('Confluence connected.');
    expect(connectBanner({ reconnected: 'jira', connection: ID }, [{ id: ID, product: 'jira' }])).toBe('Jira reconnected — it is healthy again.');
  });

  it('goes when that connection is disconnected (no longer live), although the query stays', () => {
    expect(connectBanner({ connected: 'confluence', connection: ID }, [])).toBeNull();
    expect(connectBanner({ connected: 'confluence', connection: ID }, [{ id: 'another', product: 'confluence' }])).toBeNull();
  });

  it('says nothing for a query that does not name a live connection of that product', () => {
    expect(connectBanner({ connected: 'confluence' }, [{ id: ID, product: 'confluence' }])).toBeNull();
    expect(connectBanner({ connected: 'jira', connection: ID }, [{ id: ID, product: 'confluence' }])).toBeNull();
    expect(connectBanner({ connected: 'confluence', connection: [ID, ID] }, [{ id: ID, product: 'confluence' }])).toBeNull();
    expect(connectBanner({ connected: '<b>x</b>', connection: ID }, [{ id: ID, product: 'confluence' }])).toBeNull();
  });
});
