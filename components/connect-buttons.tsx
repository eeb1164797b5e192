import { connectProduct } from '@/app/(dashboard)/actions';
import { productLabel, type Product } from '@/lib/providers/registry';
import { providerFor } from '@/lib/providers';
import { ActionForm } from './action-form';

/** One "Connect …" button per product whose app is configured (sandbox: all three). */
export function ConnectButtons({ products }: { products: readonly Product[] }) {
  return (
    <div className="flex flex-wrap justify-center gap-2">
      {products.map((product) => (
        <ActionForm
          key={product}
          action={connectProduct}
          fields={{ product }}
          label={`Connect ${productLabel(product)}`}
          pendingLabel={`Opening ${providerFor(product).issuerName}…`}
          variant="primary"
        />
      ))}
    </div>
  );
}
