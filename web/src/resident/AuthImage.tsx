import { useEffect, useState } from "preact/hooks";

/** An image the platform serves only with the bearer token (an <img src> cannot send it): fetched as a Blob. */
export function AuthImage(props: { id: string; load: () => Promise<Blob>; alt: string; class?: string }) {
  const [url, setUrl] = useState<string | null>(null);
  useEffect(() => {
    let made: string | null = null;
    let live = true;
    props.load().then(
      (blob) => {
        if (!live) return;
        try {
          made = URL.createObjectURL(blob);
          setUrl(made);
        } catch {
          /* no preview */
        }
      },
      () => undefined,
    );
    return () => {
      live = false;
      if (made) URL.revokeObjectURL(made);
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [props.id]);
  return url ? <img src={url} alt={props.alt} class={props.class} /> : null;
}
