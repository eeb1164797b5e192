import { connectProduct } from '@/app/(dashboard)/actions';
import { ActionForm } from './action-form';

export function ConnectButtons() {
  return (
    <div className="flex flex-wrap gap-2">
      <ActionForm action={connectProduct} fields={{ product: 'jira' }} label="Connect Jira" pendingLabel="Opening Atlassian…" variant="primary" />
      <ActionForm action={connectProduct} fields={{ product: 'confluence' }} label="Connect Confluence" pendingLabel="Opening Atlassian…" variant="primary" />
    </div>
  );
}
