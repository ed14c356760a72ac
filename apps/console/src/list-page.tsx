import { useQuery, type UseQueryResult } from "@tanstack/react-query";
import { Alert, Select, Table, type TableColumnsType } from "antd";
import { useState, type ReactNode } from "react";
import { Link, Pager } from "./components.tsx";
import { navigate, queryString } from "./router.ts";

type Filters<Name extends string> = Record<Name, string | undefined>;
type Page<Item> = { items: Item[]; nextCursor: string | null };

/**
 * The state of a filtered, cursor-paged list page: its filters live in the URL's query (`path?status=…`), so a list
 * can be linked and survives a reload; changing a filter goes back to the first page.
 */
export function useListPage<Name extends string, Item>(options: {
  path: string;
  names: readonly Name[];
  query: URLSearchParams;
  load: (filters: Filters<Name>, cursor: string | undefined) => Promise<Page<Item>>;
}) {
  const filters = Object.fromEntries(
    options.names.map((name) => [name, options.query.get(name) ?? undefined]),
  ) as Filters<Name>;
  const [cursor, setCursor] = useState<string>();
  const list = useQuery({
    queryKey: [options.path, filters, cursor],
    queryFn: () => options.load(filters, cursor),
  });
  const setFilter = (changes: Partial<Filters<Name>>) => {
    setCursor(undefined);
    navigate(`${options.path}${queryString({ ...filters, ...changes })}`, { replace: true });
  };
  return { filters, setFilter, list, setCursor };
}

/** A list's table with its load error above and the pager below. */
export function ListTable<Item extends { id: string }>(props: {
  page: { list: UseQueryResult<Page<Item>>; setCursor: (cursor: string | undefined) => void };
  columns: TableColumnsType<Item>;
  expandedRowRender?: (item: Item) => ReactNode;
}) {
  const { list, setCursor } = props.page;
  return (
    <>
      {list.isError ? <Alert type="error" title={list.error.message} /> : null}
      <Table<Item>
        rowKey="id"
        loading={list.isPending}
        dataSource={list.data?.items ?? []}
        pagination={false}
        size="middle"
        columns={props.columns}
        {...(props.expandedRowRender ? { expandable: { expandedRowRender: props.expandedRowRender } } : {})}
      />
      <div style={{ marginTop: 16 }}>
        <Pager
          nextCursor={list.data?.nextCursor}
          onFirst={() => setCursor(undefined)}
          onNext={() => setCursor(list.data?.nextCursor ?? undefined)}
        />
      </div>
    </>
  );
}

/** A one-value filter of a list (a status, an outcome): its label is also its placeholder; clearing removes it. */
export function FilterSelect(props: {
  label: string;
  value: string | undefined;
  onChange: (value: string | undefined) => void;
  options: ReadonlyArray<{ value: string; label: string }>;
  width?: number;
}) {
  return (
    <Select
      aria-label={props.label}
      placeholder={props.label}
      allowClear
      style={{ width: props.width ?? 160 }}
      value={props.value}
      onChange={(value: string | undefined) => props.onChange(value)}
      options={[...props.options]}
    />
  );
}

/** An agreement id column's cell: its first 8 characters, linking to the agreement. */
export function AgreementIdLink(props: { id: string }) {
  return <Link to={`/agreements/${props.id}`}>{props.id.slice(0, 8)}</Link>;
}
